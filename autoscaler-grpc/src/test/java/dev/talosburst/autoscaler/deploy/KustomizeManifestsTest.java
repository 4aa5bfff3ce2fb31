package dev.talosburst.autoscaler.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kustomization under {@code k8s/} and {@code grafana/} renders with {@code kubectl kustomize}, and the rendered
 * production and demo overlays hold what the README and the application's options promise: RBAC exactly as documented,
 * a locked-down pod whose probes hit the management port, TLS paths that exist in the mounted cert-manager Secret, a
 * server certificate valid for the address cluster-autoscaler dials, and no inlined secrets.
 */
class KustomizeManifestsTest {
    private static final Path ROOT = Path.of("..");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static String kubectl;

    @BeforeAll
    static void findKubectl() {
        for (String candidate : List.of("/usr/bin/kubectl", "/usr/local/bin/kubectl")) {
            if (Files.isExecutable(Path.of(candidate))) {
                kubectl = candidate;
            }
        }
        assumeTrue(
                kubectl != null,
                "kubectl is not installed (/usr/bin/kubectl; Debian package kubectl): cannot render k8s/");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "k8s/base",
                "k8s/cluster-autoscaler",
                "k8s/monitoring",
                "grafana",
                "k8s/overlays/demo",
                "k8s/overlays/production"
            })
    void everyKustomizationRenders(String dir) throws Exception {
        assertThat(render(dir)).isNotEmpty();
    }

    @Test
    void rbacIsExactlyTheReadmesRules() throws Exception {
        List<JsonNode> docs = render("k8s/overlays/production");
        Map<String, JsonNode> documented = new HashMap<>();
        for (JsonNode doc : readmeRbac()) {
            documented.put(
                    doc.get("kind").asText() + "/"
                            + doc.get("metadata").get("name").asText(),
                    doc.get("rules"));
        }
        assertThat(documented).containsOnlyKeys("ClusterRole/talos-burst-nodes", "Role/talos-burst-leader-election");
        for (Map.Entry<String, JsonNode> e : documented.entrySet()) {
            String[] kindName = e.getKey().split("/");
            assertThat(find(docs, kindName[0], kindName[1]).get("rules"))
                    .as(e.getKey())
                    .isEqualTo(e.getValue());
        }
        // bound to talos-burst's ServiceAccount, and nothing else is bound to it
        List<String> bound = new ArrayList<>();
        for (JsonNode doc : docs) {
            if (doc.get("kind").asText().endsWith("Binding")) {
                for (JsonNode subject : doc.get("subjects")) {
                    if (subject.get("name").asText().equals("talos-burst")) {
                        bound.add(doc.get("roleRef").get("kind").asText() + "/"
                                + doc.get("roleRef").get("name").asText());
                    }
                }
            }
        }
        assertThat(bound)
                .containsExactlyInAnyOrder("ClusterRole/talos-burst-nodes", "Role/talos-burst-leader-election");
    }

    @Test
    void thePodIsLockedDownProbedOnTheManagementPortAndWritesOnlyItsJournal() throws Exception {
        List<JsonNode> docs = render("k8s/overlays/production");
        JsonNode deployment = find(docs, "Deployment", "talos-burst");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        JsonNode pod = deployment.at("/spec/template/spec");
        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isPositive();
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(pod.at("/serviceAccountName").asText()).isEqualTo("talos-burst");
        assertThat(pod.at("/topologySpreadConstraints")).isNotEmpty();
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean())
                .isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true))
                .isFalse();
        assertThat(container.at("/securityContext/capabilities/drop").toString())
                .contains("ALL");
        assertThat(container.at("/resources/requests/cpu").isMissingNode()).isFalse();
        assertThat(container.at("/resources/limits/memory").isMissingNode()).isFalse();
        assertThat(container.at("/image").asText()).isEqualTo("talos-burst:0.1.0-SNAPSHOT");

        Properties config = config(docs);
        int managementPort = Integer.parseInt(config.getProperty("talosburst.management.port"));
        assertThat(port(container, "management")).isEqualTo(managementPort);
        assertThat(port(container, "grpc")).isEqualTo(Integer.parseInt(config.getProperty("talosburst.grpc.port")));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText())
                    .as(probe)
                    .isEqualTo("management");
            assertThat(container.at("/" + probe + "/httpGet/path").asText())
                    .as(probe)
                    .startsWith("/q/health/");
        }
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");

        // the only writable mount is the emptyDir holding the event journal
        Map<String, JsonNode> volumes = new HashMap<>();
        pod.get("volumes").forEach(v -> volumes.put(v.get("name").asText(), v));
        List<String> writable = new ArrayList<>();
        for (JsonNode mount : container.get("volumeMounts")) {
            JsonNode volume = volumes.get(mount.get("name").asText());
            if (!mount.path("readOnly").asBoolean(false)) {
                writable.add(mount.get("mountPath").asText());
                assertThat(volume.has("emptyDir") || volume.has("persistentVolumeClaim"))
                        .isTrue();
            } else {
                assertThat(volume.has("secret") || volume.has("configMap")).isTrue();
            }
        }
        assertThat(writable)
                .singleElement()
                .satisfies(w -> assertThat(config.getProperty("talosburst.events.journal-dir"))
                        .startsWith(w + "/"));

        // Secrets are referenced, never rendered with values: only the cloud-config (paths, an address) is generated
        for (JsonNode doc : docs) {
            if (doc.get("kind").asText().equals("Secret")) {
                assertThat(doc.at("/metadata/name").asText()).startsWith("cluster-autoscaler-cloud-config");
            }
        }
        JsonNode token = null;
        for (JsonNode env : container.get("env")) {
            if (env.get("name").asText().equals("TALOSBURST_HCLOUD_TOKEN")) {
                token = env;
            }
        }
        assertThat(token).as("TALOSBURST_HCLOUD_TOKEN").isNotNull();
        assertThat(token.has("value")).isFalse();
        assertThat(token.at("/valueFrom/secretKeyRef/name").asText()).isEqualTo("talos-burst-hcloud");
        assertThat(token.at("/valueFrom/secretKeyRef/key").asText()).isEqualTo("token");
        assertThat(find(docs, "PodDisruptionBudget", "talos-burst")
                        .at("/spec/minAvailable")
                        .asInt())
                .isEqualTo(1);
    }

    @Test
    void tlsPathsCertificatesAndClusterAutoscalerFitTogether() throws Exception {
        List<JsonNode> docs = render("k8s/overlays/production");
        Properties config = config(docs);
        JsonNode pod = find(docs, "Deployment", "talos-burst").at("/spec/template/spec");
        JsonNode serverCert = find(docs, "Certificate", "talos-burst-grpc");
        // every talosburst.grpc.tls.* file is a key of the cert-manager Secret mounted at its directory
        for (String option : List.of("cert", "key", "client-ca")) {
            Path file = Path.of(config.getProperty("talosburst.grpc.tls." + option));
            String secret = secretMountedAt(pod, file.getParent().toString());
            assertThat(secret)
                    .as(option)
                    .isEqualTo(serverCert.at("/spec/secretName").asText());
            assertThat(file.getFileName().toString()).isIn("tls.crt", "tls.key", "ca.crt");
        }
        assertThat(config.getProperty("talosburst.grpc.plaintext")).isEqualTo("false");

        // cluster-autoscaler dials an address the server certificate is valid for, with its own client certificate
        JsonNode ca = find(docs, "Deployment", "cluster-autoscaler");
        List<String> args = new ArrayList<>();
        ca.at("/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        assertThat(args).contains("--cloud-provider=externalgrpc", "--expander=price");
        // CA gives up on a node when the reaper does: its --max-node-provision-time is every pool's max-provision-time
        String provisionTime = args.stream()
                .filter(a -> a.startsWith("--max-node-provision-time="))
                .findFirst()
                .orElseThrow()
                .substring("--max-node-provision-time=".length());
        List<String> pools = config.stringPropertyNames().stream()
                .filter(k -> k.matches("talosburst\\.pools\\.[^.]+\\.server-type"))
                .map(k -> k.split("\\.")[2])
                .toList();
        assertThat(pools).isNotEmpty();
        for (String pool : pools) {
            assertThat(config.getProperty("talosburst.pools." + pool + ".max-provision-time", "15m"))
                    .as(
                            "talosburst.pools.%s.max-provision-time vs cluster-autoscaler's --max-node-provision-time",
                            pool)
                    .isEqualTo(provisionTime);
        }
        // the image tag is the one k8s/README.md explains (the manifests are tested with CA 1.30)
        String image = ca.at("/spec/template/spec/containers/0/image").asText();
        assertThat(Files.readString(ROOT.resolve("k8s/README.md")))
                .as("k8s/README.md on cluster-autoscaler's version")
                .contains("`" + image.substring(image.lastIndexOf(':') + 1) + "`")
                .contains("tested with cluster-autoscaler **1.30.0**");
        String cloudConfigPath = args.stream()
                .filter(a -> a.startsWith("--cloud-config="))
                .findFirst()
                .orElseThrow()
                .substring(15);
        JsonNode caPod = ca.at("/spec/template/spec");
        String cloudConfigSecret =
                secretMountedAt(caPod, Path.of(cloudConfigPath).getParent().toString());
        JsonNode cloudSecret = docs.stream()
                .filter(d -> d.get("kind").asText().equals("Secret")
                        && d.at("/metadata/name").asText().equals(cloudConfigSecret))
                .findFirst()
                .orElseThrow();
        JsonNode cloudConfig = YAML.readTree(new String(
                java.util.Base64.getMimeDecoder()
                        .decode(cloudSecret
                                .at("/data/" + Path.of(cloudConfigPath).getFileName())
                                .asText()),
                StandardCharsets.UTF_8));
        String host = cloudConfig.get("address").asText().replaceFirst(":\\d+$", "");
        assertThat(serverCert.at("/spec/dnsNames").toString()).contains("\"" + host + "\"");
        assertThat(cloudConfig.get("address").asText()).endsWith(":" + config.getProperty("talosburst.grpc.port"));
        String clientSecret = find(docs, "Certificate", "cluster-autoscaler-grpc-client")
                .at("/spec/secretName")
                .asText();
        for (String key : List.of("cert", "key", "cacert")) {
            Path file = Path.of(cloudConfig.get(key).asText());
            assertThat(secretMountedAt(caPod, file.getParent().toString()))
                    .as(key)
                    .isEqualTo(clientSecret);
        }
        // the Service's DNS names are the certificate's SANs
        JsonNode service = find(docs, "Service", "talos-burst");
        String ns = service.at("/metadata/namespace").asText();
        assertThat(serverCert.at("/spec/dnsNames").toString())
                .contains("talos-burst." + ns + ".svc", "talos-burst." + ns + ".svc.cluster.local");

        // NetworkPolicy: gRPC only from cluster-autoscaler's pods, management only from the monitoring namespace
        JsonNode policy = find(docs, "NetworkPolicy", "talos-burst");
        JsonNode grpcRule = policy.at("/spec/ingress/0");
        assertThat(grpcRule.at("/ports/0/port").asInt())
                .isEqualTo(Integer.parseInt(config.getProperty("talosburst.grpc.port")));
        assertThat(grpcRule.at("/from/0/podSelector/matchLabels/app.kubernetes.io~1name")
                        .asText())
                .isEqualTo(ca.at("/spec/template/metadata/labels/app.kubernetes.io~1name")
                        .asText());
        JsonNode metricsRule = policy.at("/spec/ingress/1");
        assertThat(metricsRule.at("/ports/0/port").asInt())
                .isEqualTo(Integer.parseInt(config.getProperty("talosburst.management.port")));
        assertThat(metricsRule
                        .at("/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name")
                        .asText())
                .isEqualTo("monitoring");
        assertThat(policy.at("/spec/ingress").size()).isEqualTo(2);

        // monitoring: the ServiceMonitor scrapes the Service's metrics port; dashboards are sidecar ConfigMaps
        JsonNode monitor = find(docs, "ServiceMonitor", "talos-burst");
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(docs.stream()
                        .filter(d -> d.at("/metadata/labels/grafana_dashboard")
                                .asText()
                                .equals("1"))
                        .count())
                .isEqualTo(4);
        find(docs, "PrometheusRule", "talos-burst");
    }

    @Test
    void theDemoRunsOneReplicaOfTheDemoProfileWithoutSecretsToMount() throws Exception {
        List<JsonNode> docs = render("k8s/overlays/demo");
        JsonNode deployment = find(docs, "Deployment", "talos-burst");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
        String container = deployment.at("/spec/template/spec/containers/0").toString();
        assertThat(container)
                .contains("{\"name\":\"QUARKUS_PROFILE\",\"value\":\"demo\"}")
                .doesNotContain("talos-burst-hcloud");
        assertThat(deployment.at("/spec/template/spec/volumes").toString()).doesNotContain("talos-burst-talos");
        assertThat(config(docs).getProperty("talosburst.grpc.plaintext")).isEqualTo("false");
        assertThat(docs)
                .as("one replica and a PodDisruptionBudget of minAvailable 1 would block every node drain")
                .noneMatch(d -> d.get("kind").asText().equals("PodDisruptionBudget"));
    }

    private static String secretMountedAt(JsonNode pod, String directory) {
        JsonNode container = pod.at("/containers/0");
        for (JsonNode mount : container.get("volumeMounts")) {
            if (mount.get("mountPath").asText().equals(directory)) {
                for (JsonNode volume : pod.get("volumes")) {
                    if (volume.get("name").asText().equals(mount.get("name").asText())) {
                        return volume.at("/secret/secretName").asText();
                    }
                }
            }
        }
        throw new AssertionError("nothing is mounted at " + directory);
    }

    private static int port(JsonNode container, String name) {
        for (JsonNode port : container.get("ports")) {
            if (port.get("name").asText().equals(name)) {
                return port.get("containerPort").asInt();
            }
        }
        throw new AssertionError("no port " + name);
    }

    private static Properties config(List<JsonNode> docs) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(docs.stream()
                .filter(d -> d.get("kind").asText().equals("ConfigMap")
                        && d.at("/metadata/name").asText().startsWith("talos-burst-config"))
                .findFirst()
                .orElseThrow()
                .at("/data/application.properties")
                .asText()));
        return properties;
    }

    private static JsonNode find(List<JsonNode> docs, String kind, String name) {
        return docs.stream()
                .filter(d -> d.get("kind").asText().equals(kind)
                        && d.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
    }

    /** The YAML block of the README's section "Kubernetes permissions (RBAC)". */
    private static List<JsonNode> readmeRbac() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Kubernetes permissions (RBAC)"));
        Matcher m = Pattern.compile("```yaml\n(.*?)```", Pattern.DOTALL).matcher(section);
        assertThat(m.find()).isTrue();
        return YAML.readValues(YAML.getFactory().createParser(m.group(1)), JsonNode.class)
                .readAll();
    }

    static List<JsonNode> render(String dir) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        kubectl, "kustomize", ROOT.resolve(dir).toString())
                .redirectErrorStream(false)
                .start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize %s: %s", dir, err).isZero();
        List<JsonNode> docs = new ArrayList<>(YAML.readValues(YAML.getFactory().createParser(out), JsonNode.class)
                .readAll());
        docs.removeIf(d -> d == null || d.isNull() || d.isMissingNode());
        return docs;
    }
}
