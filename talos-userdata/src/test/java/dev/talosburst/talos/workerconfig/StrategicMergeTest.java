package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Talos strategic-merge semantics on small multi-document configs. */
class StrategicMergeTest {

    private static final String BASE = """
            version: v1alpha1
            machine:
              type: worker
              certSANs: [a]
              sysctls:
                net.core.somaxconn: "1024"
                vm.swappiness: "10"
              network:
                interfaces:
                  - interface: eth0
                    mtu: 1500
                    vlans:
                      - vlanId: 10
                        mtu: 1400
                  - interface: eth1
                    dhcp: true
            cluster:
              network:
                podSubnets: [10.244.0.0/16]
            ---
            apiVersion: v1alpha1
            kind: RegistryMirrorConfig
            name: ghcr.io
            endpoints:
              - url: https://mirror-a.example
            ---
            apiVersion: v1alpha1
            kind: SideroLinkConfig
            apiUrl: https://siderolink.example
            """;

    private static List<ObjectNode> parse(String yaml) {
        return new java.util.ArrayList<>(YamlDocuments.parse(
                yaml,
                e -> new WorkerConfigException(
                        WorkerConfigException.Problem.INVALID_PATCH, "bad test YAML" + e.where())));
    }

    private static Rendered merge(String... patches) {
        List<ObjectNode> docs = parse(BASE);
        for (int i = 0; i < patches.length; i++) {
            StrategicMerge.apply(docs, parse(patches[i]), "patch #" + (i + 1));
        }
        return Rendered.ofYaml(YamlDocuments.write(docs));
    }

    @Test
    void mapsMergeScalarsReplaceListsAppend() {
        Rendered out = merge("""
                machine:
                  certSANs: [b]
                  sysctls:
                    vm.swappiness: "1"
                    kernel.pid_max: "65536"
                """);
        assertThat(out.at("machine.certSANs")).extracting(n -> n.asText()).containsExactly("a", "b");
        assertThat(out.v1alpha1()
                        .path("machine")
                        .path("sysctls")
                        .path("vm.swappiness")
                        .asText())
                .isEqualTo("1");
        assertThat(out.v1alpha1()
                        .path("machine")
                        .path("sysctls")
                        .path("net.core.somaxconn")
                        .asText())
                .isEqualTo("1024");
        assertThat(out.v1alpha1()
                        .path("machine")
                        .path("sysctls")
                        .path("kernel.pid_max")
                        .asText())
                .isEqualTo("65536");
        assertThat(out.text("machine.type")).isEqualTo("worker");
    }

    @Test
    void subnetsAreReplacedNotAppended() {
        Rendered out = merge("cluster:\n  network:\n    podSubnets: [10.50.0.0/16]\n");
        assertThat(out.at("cluster.network.podSubnets"))
                .extracting(n -> n.asText())
                .containsExactly("10.50.0.0/16");
    }

    @Test
    void interfacesMergeByNameAndVlansById() {
        Rendered out = merge("""
                machine:
                  network:
                    interfaces:
                      - interface: eth0
                        mtu: 9000
                        vlans:
                          - vlanId: 10
                            mtu: 1300
                          - vlanId: 20
                      - interface: eth2
                        dhcp: true
                """);
        var interfaces = out.at("machine.network.interfaces");
        assertThat(interfaces).extracting(n -> n.path("interface").asText()).containsExactly("eth0", "eth1", "eth2");
        assertThat(interfaces.get(0).path("mtu").asInt()).isEqualTo(9000);
        assertThat(interfaces.get(0).path("vlans"))
                .extracting(n -> n.path("vlanId").asInt())
                .containsExactly(10, 20);
        assertThat(interfaces.get(0).path("vlans").get(0).path("mtu").asInt()).isEqualTo(1300);
    }

    @Test
    void multiDocumentPatchMergesByKindAndNameAndAppendsAbsentDocuments() {
        Rendered out = merge("""
                machine:
                  sysctls:
                    a.b: "1"
                ---
                apiVersion: v1alpha1
                kind: RegistryMirrorConfig
                name: ghcr.io
                endpoints:
                  - url: https://mirror-b.example
                ---
                apiVersion: v1alpha1
                kind: RegistryMirrorConfig
                name: docker.io
                endpoints:
                  - url: https://mirror-d.example
                """);
        assertThat(out.documents)
                .extracting(d -> DocumentId.of(d).label())
                .containsExactly(
                        "v1alpha1",
                        "RegistryMirrorConfig 'ghcr.io'",
                        "SideroLinkConfig",
                        "RegistryMirrorConfig 'docker.io'");
        assertThat(out.documents.get(1).path("endpoints"))
                .extracting(n -> n.path("url").asText())
                .containsExactly("https://mirror-a.example", "https://mirror-b.example");
        assertThat(out.documents.get(3).path("endpoints")).hasSize(1);
    }

    @Test
    void patchDeleteRemovesDocumentsMapKeysAndKeyedItems() {
        Rendered out = merge("""
                machine:
                  sysctls:
                    vm.swappiness:
                      $patch: delete
                  network:
                    interfaces:
                      - interface: eth1
                        $patch: delete
                ---
                apiVersion: v1alpha1
                kind: SideroLinkConfig
                $patch: delete
                ---
                apiVersion: v1alpha1
                kind: RegistryMirrorConfig
                name: quay.io
                $patch: delete
                """);
        assertThat(out.doc("SideroLinkConfig")).isNull();
        assertThat(out.documents).hasSize(2);
        assertThat(out.v1alpha1().path("machine").path("sysctls").has("vm.swappiness"))
                .isFalse();
        assertThat(out.v1alpha1().path("machine").path("sysctls").has("net.core.somaxconn"))
                .isTrue();
        assertThat(out.at("machine.network.interfaces"))
                .extracting(n -> n.path("interface").asText())
                .containsExactly("eth0");
        assertThat(out.yaml).doesNotContain("$patch");
    }

    @Test
    void deleteOfAWholeSectionAndNullsLeaveTargetAlone() {
        Rendered out = merge("machine:\n  network:\n    $patch: delete\n  certSANs: null\n");
        assertThat(out.at("machine.network")).isNull();
        assertThat(out.at("machine.certSANs")).hasSize(1);
    }

    @Test
    void newSubtreesCarryNoDirectives() {
        Rendered out = merge("machine:\n  files:\n    - path: /var/x\n      content: y\n  kernel:\n    modules:\n"
                + "      $patch: delete\n");
        assertThat(out.at("machine.kernel")).isEmpty();
        assertThat(out.yaml).doesNotContain("$patch");
    }

    @Test
    void refusesWhatTalosRefuses() {
        assertThatThrownBy(() -> merge("version: v1alpha1\n$patch: delete\n"))
                .hasMessageContaining("patch #1")
                .hasMessageContaining("v1alpha1 document");
        assertThatThrownBy(() -> merge("machine:\n  certSANs:\n    - $patch: delete\n"))
                .hasMessageContaining("keyed lists")
                .hasMessageContaining("machine.certSANs");
        assertThatThrownBy(() -> merge("machine:\n  sysctls:\n    $patch: replace\n"))
                .hasMessageContaining("unsupported $patch directive")
                .hasMessageContaining("machine.sysctls");
        assertThatThrownBy(() -> merge("apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: x\n---\n"
                        + "apiVersion: v1alpha1\nkind: SideroLinkConfig\napiUrl: y\n"))
                .hasMessageContaining("touches document SideroLinkConfig twice");
    }
}
