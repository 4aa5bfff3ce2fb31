package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Label and taint naming, and what NodeRestriction lets a kubelet set. */
class KubernetesNamesTest {

    @Test
    void qualifiedNames() {
        assertThat(KubernetesNames.qualifiedNameProblem("burst.example.com/pool"))
                .isEmpty();
        assertThat(KubernetesNames.qualifiedNameProblem("dedicated")).isEmpty();
        assertThat(KubernetesNames.qualifiedNameProblem("Example.com/pool")).isPresent();
        assertThat(KubernetesNames.qualifiedNameProblem("example.com/")).isPresent();
        assertThat(KubernetesNames.qualifiedNameProblem("a".repeat(64))).isPresent();
        assertThat(KubernetesNames.qualifiedNameProblem("-x")).isPresent();
        assertThat(KubernetesNames.labelValueProblem("")).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("v1.2_3-x")).isEmpty();
        assertThat(KubernetesNames.labelValueProblem("a b")).isPresent();
    }

    @Test
    void nodeRestriction() {
        assertThat(KubernetesNames.kubeletForbidden("node-role.kubernetes.io/worker"))
                .isPresent();
        assertThat(KubernetesNames.kubeletForbidden("kubernetes.io/role")).isPresent();
        assertThat(KubernetesNames.kubeletForbidden("foo.k8s.io/x")).isPresent();
        assertThat(KubernetesNames.kubeletForbidden("node-restriction.kubernetes.io/x"))
                .isPresent();
        assertThat(KubernetesNames.kubeletForbidden("node.kubernetes.io/instance-type"))
                .isEmpty();
        assertThat(KubernetesNames.kubeletForbidden("pool.node.kubernetes.io/x"))
                .isEmpty();
        assertThat(KubernetesNames.kubeletForbidden("topology.kubernetes.io/zone"))
                .isEmpty();
        assertThat(KubernetesNames.kubeletForbidden("kubernetes.io/arch")).isEmpty();
        assertThat(KubernetesNames.kubeletForbidden("example.com/role")).isEmpty();
        assertThat(KubernetesNames.kubeletForbidden("role")).isEmpty();
    }

    @Test
    void hostnames() {
        assertThat(KubernetesNames.isHostname("gpu-abc12")).isTrue();
        assertThat(KubernetesNames.isHostname("a".repeat(63))).isTrue();
        assertThat(KubernetesNames.isHostname("a".repeat(64))).isFalse();
        assertThat(KubernetesNames.isHostname("Gpu-1")).isFalse();
        assertThat(KubernetesNames.isHostname("gpu.1")).isFalse();
        assertThat(KubernetesNames.isHostname("gpu-")).isFalse();
    }
}
