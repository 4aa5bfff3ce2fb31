package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Works out which Talos minor a worker config was generated for ({@code talosctl gen config [--talos-version]}).
 *
 * <p>In order: an operator-supplied version wins (it must not be older than what the documents prove); otherwise
 * the document shape gives a range (1.14 documents such as KubeNodeConfig ⇒ 1.14; KubeSpanConfig, or HostnameConfig
 * without machine.network ⇒ 1.13; HostnameConfig with machine.network ⇒ 1.12; a single document with
 * hostDNS.forwardKubeDNSToHost or cluster.clusterName ⇒ 1.8–1.11; hostDNS ⇒ 1.7; else 1.6), narrowed by the
 * installer image tag (exact when inside the range) and the kubelet image tag (Talos 1.N ships Kubernetes up to
 * 1.(N+23), so kubelet v1.K needs Talos ≥ 1.(K−23)). When a range remains, the oldest version in it is assumed —
 * the safe choice for compression — and the explanation says to set talos-version.
 */
final class VersionDetection {

    /** Documents that appear first in Talos 1.14 (the split of machine.* and cluster.* into documents). */
    static final Set<String> KINDS_SINCE_1_14 = Set.of(
            "KubeNodeConfig",
            "KubeletConfig",
            "KubeClusterConfig",
            "KubeNetworkConfig",
            "KubeAPIServerCAConfig",
            "KubePrismConfig",
            "DiscoveryServiceConfig",
            "DiscoveryIdentityConfig",
            "UnattendedInstallConfig",
            "SecurityProfileConfig",
            "FilesystemTrimConfig");

    private static final Pattern IMAGE_TAG = Pattern.compile(":v(\\d+)\\.(\\d+)(?:\\.\\d+)?(?:-[0-9A-Za-z.]+)?$");

    private VersionDetection() {}

    /**
     * The detected (or configured) version and a one-line explanation an operator can check.
     *
     * @param oldest the oldest Talos the documents allow (what a booted image must at least run)
     * @param newest the newest Talos the evidence allows, null when open
     * @param certain true when configured, or when the documents or the installer tag pin one minor
     * @param configured true when the operator set talos-version
     */
    record Detected(
            TalosVersion version,
            String explanation,
            TalosVersion oldest,
            TalosVersion newest,
            boolean certain,
            boolean configured) {}

    static Detected detect(List<ObjectNode> documents, Optional<TalosVersion> configured, String source) {
        Shape shape = shapeOf(documents);
        if (configured.isPresent()) {
            TalosVersion v = configured.get();
            if (v.compareTo(TalosVersion.OLDEST_SUPPORTED) < 0) {
                throw new WorkerConfigException(
                        WorkerConfigException.Problem.UNSUPPORTED_CONFIG,
                        "talos-version " + v + " is configured, but talos-burst supports Talos "
                                + TalosVersion.OLDEST_SUPPORTED + " and newer");
            }
            if (v.compareTo(shape.min) < 0) {
                throw new WorkerConfigException(
                        WorkerConfigException.Problem.UNSUPPORTED_CONFIG,
                        "talos-version " + v + " is configured, but worker config " + source + " " + shape.evidence
                                + ", which needs Talos " + shape.min + " or newer; set talos-version to the version"
                                + " the config was generated for, or regenerate it with talosctl gen config"
                                + " --talos-version v" + v);
            }
            String newer = v.compareTo(TalosVersion.NEWEST_KNOWN) > 0
                    ? " (rendered in the Talos " + TalosVersion.NEWEST_KNOWN
                            + " document model, the newest talos-burst knows)"
                    : "";
            return new Detected(v, "configured talos-version " + v + newer, shape.min, null, true, true);
        }
        TalosVersion min = shape.min;
        TalosVersion max = shape.max;
        String evidence = shape.evidence;
        Optional<TalosVersion> installer = tagOf(installerImage(documents));
        if (installer.isPresent() && within(installer.get(), min, max)) {
            return new Detected(
                    installer.get(),
                    "installer image tag v" + installer.get() + " (config " + evidence + ")",
                    installer.get(),
                    installer.get(),
                    true,
                    false);
        }
        Optional<TalosVersion> kubelet = tagOf(kubeletImage(documents));
        if (kubelet.isPresent() && kubelet.get().major() == 1) {
            TalosVersion needed = TalosVersion.v1(kubelet.get().minor() - 23);
            if (needed.compareTo(min) > 0 && (max == null || needed.compareTo(max) <= 0)) {
                min = needed;
                evidence += "; kubelet v" + kubelet.get() + " needs Talos " + needed + " or newer";
            }
        }
        if (max != null && min.equals(max)) {
            return new Detected(min, "config " + evidence + " ⇒ Talos " + min, min, max, true, false);
        }
        // the documents allow several minors: the version label of the snapshot each pool boots decides at start-up
        return new Detected(
                min,
                "config " + evidence + " ⇒ Talos " + min + (max == null ? " or newer" : "–" + max) + "; assuming " + min
                        + " unless the snapshot a pool boots says which (set talos-version to be exact)",
                min,
                max,
                false,
                false);
    }

    private record Shape(TalosVersion min, TalosVersion max, String evidence) {}

    private static Shape shapeOf(List<ObjectNode> documents) {
        Set<String> kinds = new TreeSet<>();
        ObjectNode v1 = null;
        for (ObjectNode d : documents) {
            DocumentId id = DocumentId.of(d);
            if (id.isV1Alpha1()) {
                v1 = d;
            } else {
                kinds.add(id.kind());
            }
        }
        Set<String> newKinds = new TreeSet<>(kinds);
        newKinds.retainAll(KINDS_SINCE_1_14);
        if (!newKinds.isEmpty()) {
            return new Shape(
                    TalosVersion.v1(14),
                    null,
                    "has " + String.join(", ", newKinds) + " document(s) (Talos 1.14 model)");
        }
        if (kinds.contains("KubeSpanConfig")) {
            return new Shape(TalosVersion.v1(13), TalosVersion.v1(13), "has a KubeSpanConfig document (Talos 1.13+)");
        }
        boolean hasNetwork = v1 != null && v1.path("machine").has("network");
        if (kinds.contains("HostnameConfig")) {
            return hasNetwork
                    ? new Shape(
                            TalosVersion.v1(12),
                            TalosVersion.v1(12),
                            "has a HostnameConfig document and machine.network (as talosctl writes for 1.12)")
                    : new Shape(
                            TalosVersion.v1(13),
                            TalosVersion.v1(13),
                            "has a HostnameConfig document and no machine.network (as talosctl writes for 1.13)");
        }
        JsonNode features = v1 == null ? null : v1.path("machine").path("features");
        if (v1 != null && v1.path("machine").path("install").has("grubUseUKICmdline")) {
            return new Shape(TalosVersion.v1(12), TalosVersion.v1(12), "has machine.install.grubUseUKICmdline (1.12+)");
        }
        if (features != null
                && (features.path("hostDNS").has("forwardKubeDNSToHost")
                        || v1.path("cluster").has("clusterName"))) {
            return new Shape(
                    TalosVersion.v1(8),
                    TalosVersion.v1(11),
                    "is a single v1alpha1 document with hostDNS.forwardKubeDNSToHost or cluster.clusterName");
        }
        if (features != null && features.has("hostDNS")) {
            return new Shape(TalosVersion.v1(7), TalosVersion.v1(7), "is a single v1alpha1 document with hostDNS");
        }
        return new Shape(
                TalosVersion.OLDEST_SUPPORTED,
                TalosVersion.OLDEST_SUPPORTED,
                "is a single v1alpha1 document without hostDNS");
    }

    private static boolean within(TalosVersion v, TalosVersion min, TalosVersion max) {
        return v.compareTo(min) >= 0 && (max == null || v.compareTo(max) <= 0);
    }

    private static String installerImage(List<ObjectNode> documents) {
        for (ObjectNode d : documents) {
            DocumentId id = DocumentId.of(d);
            if (id.isV1Alpha1()
                    && d.path("machine").path("install").path("image").isTextual()) {
                return d.path("machine").path("install").path("image").asText();
            }
            if (id.hasKind("UnattendedInstallConfig")
                    && d.path("installer").path("image").isTextual()) {
                return d.path("installer").path("image").asText();
            }
        }
        return null;
    }

    private static String kubeletImage(List<ObjectNode> documents) {
        for (ObjectNode d : documents) {
            DocumentId id = DocumentId.of(d);
            if (id.isV1Alpha1()
                    && d.path("machine").path("kubelet").path("image").isTextual()) {
                return d.path("machine").path("kubelet").path("image").asText();
            }
            if (id.hasKind("KubeletConfig") && d.path("image").isTextual()) {
                return d.path("image").asText();
            }
        }
        return null;
    }

    private static Optional<TalosVersion> tagOf(String image) {
        if (image == null) {
            return Optional.empty();
        }
        Matcher m = IMAGE_TAG.matcher(image);
        return m.find()
                ? Optional.of(new TalosVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))))
                : Optional.empty();
    }
}
