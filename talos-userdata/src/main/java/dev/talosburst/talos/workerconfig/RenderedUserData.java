package dev.talosburst.talos.workerconfig;

import java.util.Optional;

/**
 * A node's Hetzner user-data: its worker config as YAML, or base64 of the gzipped YAML when the plain text does
 * not fit and Talos (≥ 1.9) decodes it. It holds join secrets: {@link #toString()} shows only sizes.
 *
 * @param text the user-data to send ({@code user_data} of the create-server call)
 * @param byteSize UTF-8 size of {@code text}, at most {@link UserDataEncoding#HETZNER_LIMIT_BYTES}
 * @param compressed true when {@code text} is base64(gzip(yaml))
 * @param yamlByteSize size of the YAML before any compression
 * @param talosVersion the document model it was rendered in
 * @param schemaFile the Talos JSON Schema it was validated against, empty when none was configured or available
 */
public record RenderedUserData(
        String text,
        int byteSize,
        boolean compressed,
        int yamlByteSize,
        TalosVersion talosVersion,
        Optional<String> schemaFile) {

    @Override
    public String toString() {
        return "RenderedUserData[bytes=" + byteSize + ", compressed=" + compressed + ", yamlBytes=" + yamlByteSize
                + ", talos=" + talosVersion + ", schema=" + schemaFile.orElse("none") + ", text=<redacted>]";
    }
}
