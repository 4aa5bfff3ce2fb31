package dev.talosburst.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.talosburst.e2e.harness.ControlPlane;
import dev.talosburst.e2e.harness.Pki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The manifests of {@code k8s/} as the real kube-apiserver sees them: both overlays are accepted by a server-side
 * dry-run (with minimal cert-manager and Prometheus-operator CRDs installed), and talos-burst's ServiceAccount, bound
 * by the manifests' own RBAC, may do exactly what the README documents and nothing more.
 */
class KustomizeManifestsE2EIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String SA = "system:serviceaccount:talos-burst:talos-burst";

    @Test
    void theOverlaysAreAcceptedAndTheRbacIsExactlyWhatIsDocumented() throws Exception {
        Path shared = Path.of(System.getProperty("talos-burst.shared-dir", "../shared"))
                .toAbsolutePath()
                .normalize();
        Path tools = shared.resolve("tools/k8s");
        assumeTrue(Files.isDirectory(tools), tools + " is absent (Kubernetes binaries; set -Dtalos-burst.shared-dir)");
        Path bin = Path.of(run(null, tools.resolve("unpack.sh").toString())
                .strip()
                .lines()
                .reduce((a, b) -> b)
                .orElseThrow());
        Path target = Path.of("target", "kustomize-e2e").toAbsolutePath();
        Files.createDirectories(target);
        try (ControlPlane plane = new ControlPlane(bin, target.resolve("work"), target.resolve("logs")).start()) {
            Pki.Issued admin = plane.pki().client("ops-admin", "ops-admin", "system:masters");
            Path kubeconfig = plane.kubeconfig("ops-admin", admin);
            String kubectl = bin.resolve("kubectl").toString();

            kubectl(
                    kubectl,
                    kubeconfig,
                    null,
                    "apply",
                    "--server-side",
                    "-f",
                    Path.of("src/test/resources/crds/minimal-crds.yaml")
                            .toAbsolutePath()
                            .toString());
            kubectl(
                    kubectl,
                    kubeconfig,
                    null,
                    "wait",
                    "--for",
                    "condition=established",
                    "crd",
                    "--all",
                    "--timeout=120s");
            kubectl(kubectl, kubeconfig, null, "create", "namespace", "talos-burst");
            kubectl(kubectl, kubeconfig, null, "create", "namespace", "monitoring");

            for (String overlay : List.of("production", "demo")) {
                String rendered = kubectl(
                        kubectl,
                        kubeconfig,
                        null,
                        "kustomize",
                        ROOT.resolve("k8s/overlays/" + overlay).toString());
                long objects =
                        rendered.lines().filter(l -> l.startsWith("kind: ")).count();
                String accepted =
                        kubectl(kubectl, kubeconfig, rendered, "apply", "--server-side", "--dry-run=server", "-f", "-");
                assertThat(accepted.lines()
                                .filter(l -> l.contains("(server dry run)"))
                                .count())
                        .as(overlay + ":\n" + accepted)
                        .isEqualTo(objects);
            }

            // the production RBAC for real, then ask the API server what the ServiceAccount may do
            String rendered = kubectl(
                    kubectl,
                    kubeconfig,
                    null,
                    "kustomize",
                    ROOT.resolve("k8s/base").toString());
            StringBuilder rbac = new StringBuilder();
            for (String doc : rendered.split("(?m)^---$")) {
                if (doc.contains("kind: ServiceAccount") || doc.contains("rbac.authorization.k8s.io")) {
                    rbac.append(doc).append("\n---\n");
                }
            }
            kubectl(kubectl, kubeconfig, rbac.toString(), "apply", "--server-side", "-f", "-");
            for (String verb : List.of("get", "list", "watch", "patch", "delete")) {
                assertThat(canI(kubectl, kubeconfig, verb, "nodes", null))
                        .as(verb + " nodes")
                        .isTrue();
            }
            assertThat(canI(kubectl, kubeconfig, "create", "leases.coordination.k8s.io", "talos-burst"))
                    .isTrue();
            assertThat(canI(kubectl, kubeconfig, "get", "leases.coordination.k8s.io/talos-burst-leader", "talos-burst"))
                    .isTrue();
            assertThat(canI(
                            kubectl,
                            kubeconfig,
                            "patch",
                            "leases.coordination.k8s.io/talos-burst-leader",
                            "talos-burst"))
                    .isTrue();
            // nothing more: no update (PUT), no other Lease, no Lease elsewhere, no node status, no pods or secrets
            assertThat(canI(kubectl, kubeconfig, "update", "nodes", null)).isFalse();
            assertThat(canI(kubectl, kubeconfig, "create", "nodes", null)).isFalse();
            assertThat(canI(kubectl, kubeconfig, "patch", "nodes", null, "--subresource=status"))
                    .isFalse();
            assertThat(canI(
                            kubectl,
                            kubeconfig,
                            "update",
                            "leases.coordination.k8s.io/talos-burst-leader",
                            "talos-burst"))
                    .isFalse();
            assertThat(canI(kubectl, kubeconfig, "get", "leases.coordination.k8s.io/other", "talos-burst"))
                    .isFalse();
            assertThat(canI(kubectl, kubeconfig, "create", "leases.coordination.k8s.io", "default"))
                    .isFalse();
            assertThat(canI(kubectl, kubeconfig, "get", "secrets", "talos-burst"))
                    .isFalse();
            assertThat(canI(kubectl, kubeconfig, "list", "pods", null)).isFalse();
            assertThat(canI(kubectl, kubeconfig, "create", "events", "talos-burst"))
                    .isFalse();
        }
    }

    /** kubectl auth can-i; {@code resource/name} names one object (not a subresource: pass {@code --subresource=}). */
    private static boolean canI(
            String kubectl, Path kubeconfig, String verb, String resource, String namespace, String... more)
            throws Exception {
        List<String> args = new ArrayList<>(
                List.of(kubectl, "--kubeconfig", kubeconfig.toString(), "auth", "can-i", verb, resource, "--as", SA));
        args.addAll(List.of(more));
        args.add(namespace == null ? "--all-namespaces" : "--namespace=" + namespace);
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as(String.join(" ", args)).isIn("yes", "no");
        return out.equals("yes");
    }

    private static String kubectl(String kubectl, Path kubeconfig, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(kubectl, "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return run(stdin, command.toArray(String[]::new));
    }

    private static String run(String stdin, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }
}
