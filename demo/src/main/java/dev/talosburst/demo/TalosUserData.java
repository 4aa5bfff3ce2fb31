package dev.talosburst.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
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
 * What a Talos machine reads from its user-data to register its kubelet: hostname, node labels and taints. Accepts
 * plain YAML (one or more documents) and base64 of gzip (what talos-burst sends when a config exceeds 32 KiB).
 *
 * @param hostname {@code machine.network.hostname}, empty when the config sets none
 * @param labels {@code machine.nodeLabels}
 * @param taints {@code machine.nodeTaints} and {@code machine.kubelet.registerWithTaints}, as {@code key=value:Effect}
 */
public record TalosUserData(Optional<String> hostname, Map<String, String> labels, List<String> taints) {

    private static final ObjectMapper YAML =
            JsonMapper.builder(new YAMLFactory()).build();

    /** Parses user-data; null or blank gives an empty result. */
    public static TalosUserData parse(String userData) {
        if (userData == null || userData.isBlank()) {
            return new TalosUserData(Optional.empty(), Map.of(), List.of());
        }
        String text = decompressIfNeeded(userData.strip());
        String hostname = null;
        Map<String, String> labels = new LinkedHashMap<>();
        List<String> taints = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null) {
                    continue;
                }
                JsonNode machine = doc.path("machine");
                JsonNode host = machine.path("network").path("hostname");
                if (host.isTextual()) {
                    hostname = host.asText();
                }
                if ("HostnameConfig".equals(doc.path("kind").asText())
                        && doc.path("hostname").isTextual()) {
                    hostname = doc.path("hostname").asText();
                }
                machine.path("nodeLabels")
                        .fields()
                        .forEachRemaining(
                                e -> labels.put(e.getKey(), e.getValue().asText()));
                machine.path("nodeTaints")
                        .fields()
                        .forEachRemaining(
                                e -> taints.add(e.getKey() + "=" + e.getValue().asText()));
                machine.path("kubelet")
                        .path("registerWithTaints")
                        .forEach(t -> taints.add(
                                t.isTextual()
                                        ? t.asText()
                                        : t.path("key").asText()
                                                + (t.hasNonNull("value")
                                                        ? "=" + t.path("value").asText()
                                                        : "") + ":"
                                                + t.path("effect").asText()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("user-data is not Talos YAML: " + e.getMessage(), e);
        }
        return new TalosUserData(Optional.ofNullable(hostname), Map.copyOf(labels), List.copyOf(taints));
    }

    private static String decompressIfNeeded(String userData) {
        if (userData.contains("\n") || userData.contains(":")) {
            return userData;
        }
        try (GZIPInputStream in =
                new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(userData)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | IllegalArgumentException e) {
            return userData;
        }
    }
}
