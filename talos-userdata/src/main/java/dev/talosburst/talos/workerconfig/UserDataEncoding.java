package dev.talosburst.talos.workerconfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;

/**
 * Fits a rendered worker config into Hetzner's user-data limit: plain YAML when it fits, else base64(gzip(YAML))
 * on Talos ≥ 1.9 (whose hcloud platform decodes base64 and gunzips), else a clear refusal.
 */
final class UserDataEncoding {

    /** Hetzner rejects user_data longer than 32768 characters; counting UTF-8 bytes is never more lenient. */
    static final int HETZNER_LIMIT_BYTES = 32768;

    private UserDataEncoding() {}

    static RenderedUserData encode(
            String yaml, TalosVersion version, Optional<String> schemaFile, String poolId, int limit) {
        byte[] plain = yaml.getBytes(StandardCharsets.UTF_8);
        if (plain.length <= limit) {
            return new RenderedUserData(yaml, plain.length, false, plain.length, version, schemaFile);
        }
        String advice = " Generate the worker config with talosctl gen config --with-docs=false --with-examples=false"
                + " and keep pool '" + poolId + "' patches small (fewer or smaller files, manifests by URL).";
        if (!version.acceptsCompressedUserData()) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.TOO_LARGE,
                    "rendered worker config for pool '" + poolId + "' is " + plain.length + " bytes without comments,"
                            + " more than Hetzner's user-data limit of " + limit + " bytes, and Talos " + version
                            + " cannot read compressed user-data (needs 1.9+)." + advice);
        }
        String packed = Base64.getEncoder().encodeToString(gzip(plain));
        if (packed.length() > limit) {
            throw new WorkerConfigException(
                    WorkerConfigException.Problem.TOO_LARGE,
                    "rendered worker config for pool '" + poolId + "' is " + plain.length + " bytes without comments"
                            + " and still " + packed.length() + " bytes as base64(gzip), more than Hetzner's"
                            + " user-data limit of " + limit + " bytes." + advice);
        }
        return new RenderedUserData(packed, packed.length(), true, plain.length, version, schemaFile);
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 3);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory gzip failed", null);
        }
        return out.toByteArray();
    }
}
