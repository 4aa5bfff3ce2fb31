package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.proto.k8s.core.v1.Container;
import dev.talosburst.proto.k8s.core.v1.Pod;
import dev.talosburst.proto.k8s.core.v1.PodSpec;
import dev.talosburst.proto.k8s.core.v1.ResourceRequirements;
import dev.talosburst.proto.k8s.resource.Quantity;
import dev.talosburst.provisioner.nodegroup.PodRequests;
import org.junit.jupiter.api.Test;

class PodRequestsReaderTest {

    @Test
    void sumsContainersTakesLargestInitContainerAndAddsOverhead() {
        Pod pod = Pod.newBuilder()
                .setSpec(PodSpec.newBuilder()
                        .addContainers(container("app", "250m", "128Mi"))
                        .addContainers(container("sidecar", "0.5", "64Mi"))
                        // cpu 1 > 750m sum: the init container dominates cpu; memory sum (192Mi) dominates 100Mi
                        .addInitContainers(container("migrate", "1", "100Mi"))
                        .addInitContainers(container("small", "100m", null))
                        .putOverhead("cpu", q("10m"))
                        .putOverhead("memory", q("1Mi")))
                .build();

        PodRequests requests = PodRequestsReader.read(pod);

        assertThat(requests.milliCpu()).isEqualTo(1000 + 10);
        assertThat(requests.memoryBytes()).isEqualTo((192L << 20) + (1L << 20));
    }

    @Test
    void podWithoutRequestsCostsNothing() {
        assertThat(PodRequestsReader.read(Pod.newBuilder()
                        .setSpec(PodSpec.newBuilder()
                                .addContainers(Container.newBuilder().setName("c")))
                        .build()))
                .isEqualTo(new PodRequests(0, 0));
    }

    @Test
    void theNodeAPodIsBoundToIsKept() {
        Pod pod = Pod.newBuilder()
                .setSpec(PodSpec.newBuilder()
                        .setNodeName("template-node-for-cx22-fsn1-3")
                        .addContainers(container("app", "1", "1Gi")))
                .build();
        assertThat(PodRequestsReader.read(pod).nodeName()).isEqualTo("template-node-for-cx22-fsn1-3");
    }

    @Test
    void limitsAreNotRequests() {
        Pod pod = Pod.newBuilder()
                .setSpec(PodSpec.newBuilder()
                        .addContainers(Container.newBuilder()
                                .setName("c")
                                .setResources(ResourceRequirements.newBuilder()
                                        .putLimits("cpu", q("4"))
                                        .putRequests("cpu", q("1")))))
                .build();
        assertThat(PodRequestsReader.read(pod).milliCpu()).isEqualTo(1000);
    }

    @Test
    void malformedQuantityNamesTheContainer() {
        Pod pod = Pod.newBuilder()
                .setSpec(PodSpec.newBuilder().addContainers(container("web", "lots", null)))
                .build();
        assertThatThrownBy(() -> PodRequestsReader.read(pod))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("container web")
                .hasMessageContaining("cpu")
                .hasMessageContaining("'lots'");
    }

    static Container container(String name, String cpu, String memory) {
        ResourceRequirements.Builder resources = ResourceRequirements.newBuilder();
        if (cpu != null) {
            resources.putRequests("cpu", q(cpu));
        }
        if (memory != null) {
            resources.putRequests("memory", q(memory));
        }
        return Container.newBuilder().setName(name).setResources(resources).build();
    }

    static Quantity q(String text) {
        return Quantity.newBuilder().setString(text).build();
    }
}
