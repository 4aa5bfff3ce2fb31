package dev.talosburst.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.Taint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * What a Talos node reads from the Hetzner user-data to register its kubelet: hostname, node labels and
 * {@code registerWithTaints}, in any document model Talos 1.6–1.14 uses. Read independently of talos-burst's
 * renderer, as Talos would, so a wrong user-data makes a wrong Node. Used by the demo's and the e2e suite's simulated
 * kubelets.
 *
 * @param hostname {@code machine.network.hostname} or a {@code HostnameConfig}; empty when the config sets none
 * @param taints {@code machine.kubelet.extraConfig.registerWithTaints} or a {@code KubeletConfig}'s
 */
public record TalosMachineConfig(
        Optional<String> hostname, Map<String, String> labels, List<Taint> taints, boolean wasCompressed) {

    private static final YAMLMapper YAML = new YAMLMapper();

    /** Decodes user-data as Talos' hcloud platform does: plain YAML, or base64 of gzip (Talos ≥ 1.9). */
    public static TalosMachineConfig fromUserData(String userData) {
        if (userData == null || userData.isBlank()) {
            return new TalosMachineConfig(Optional.empty(), Map.of(), List.of(), false);
        }
        String yaml = userData;
        boolean compressed = false;
        String trimmed = userData.strip();
        if (trimmed.startsWith("H4sI")) { // base64 of the gzip magic 1f 8b 08
            compressed = true;
            try (GZIPInputStream in = new GZIPInputStream(
                    new ByteArrayInputStream(Base64.getMimeDecoder().decode(trimmed)))) {
                yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("user-data looks like base64(gzip) but does not decode", e);
            }
        }
        return parse(yaml, compressed);
    }

    private static TalosMachineConfig parse(String yaml, boolean compressed) {
        String hostname = null;
        Map<String, String> labels = new LinkedHashMap<>();
        List<Taint> taints = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                String kind = doc.path("kind").asText("");
                if (doc.has("machine")) { // the v1alpha1 document
                    JsonNode machine = doc.get("machine");
                    hostname = text(machine.path("network").path("hostname"), hostname);
                    machine.path("nodeLabels")
                            .fields()
                            .forEachRemaining(
                                    e -> labels.put(e.getKey(), e.getValue().asText()));
                    taints.addAll(
                            taints(machine.path("kubelet").path("extraConfig").path("registerWithTaints")));
                }
                switch (kind) {
                    case "HostnameConfig" -> hostname = text(doc.path("hostname"), hostname);
                    case "KubeNodeConfig" ->
                        doc.path("labels")
                                .fields()
                                .forEachRemaining(
                                        e -> labels.put(e.getKey(), e.getValue().asText()));
                    case "KubeletConfig" ->
                        taints.addAll(taints(doc.path("config").path("registerWithTaints")));
                    default -> {}
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("user-data is not YAML", e);
        }
        return new TalosMachineConfig(
                Optional.ofNullable(hostname), Map.copyOf(labels), List.copyOf(taints), compressed);
    }

    private static String text(JsonNode n, String fallback) {
        return n.isTextual() && !n.asText().isBlank() ? n.asText() : fallback;
    }

    private static List<Taint> taints(JsonNode list) {
        List<Taint> out = new ArrayList<>();
        for (JsonNode t : list) {
            out.add(new Taint(
                    t.path("effect").asText(),
                    t.path("key").asText(),
                    null,
                    t.hasNonNull("value") ? t.get("value").asText() : null));
        }
        return out;
    }
}
