package dev.talosburst.talos.workerconfig;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Talos Linux minor version (e.g. 1.13): what decides the worker config's document model, its JSON Schema
 * and whether Hetzner user-data may be compressed.
 */
public record TalosVersion(int major, int minor) implements Comparable<TalosVersion> {

    /** Oldest Talos minor this renderer knows the document model of. */
    public static final TalosVersion OLDEST_SUPPORTED = new TalosVersion(1, 6);
    /** Newest Talos minor whose document model this renderer knows; newer ones are rendered like it. */
    public static final TalosVersion NEWEST_KNOWN = new TalosVersion(1, 14);

    private static final Pattern TEXT = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.\\d+)?(?:[-+][0-9A-Za-z.-]+)?");

    public TalosVersion {
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("Talos version numbers must not be negative: " + major + "." + minor);
        }
    }

    /** The minor version of {@code 1.13}, {@code v1.13}, {@code v1.13.9} or {@code v1.14.0-rc.1}. */
    public static TalosVersion parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(
                    "Talos version '" + text + "' is not a version; write it like 1.13 or v1.13.9");
        }
        return new TalosVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /** Shorthand for {@code new TalosVersion(1, minor)}. */
    public static TalosVersion v1(int minor) {
        return new TalosVersion(1, minor);
    }

    /** True when this version is {@code 1.<minor>} or newer. */
    public boolean atLeast(int minorOfV1) {
        return compareTo(v1(minorOfV1)) >= 0;
    }

    /** Talos decodes base64 and gunzips hcloud user-data since 1.9 (commit ccbd5aed3). */
    public boolean acceptsCompressedUserData() {
        return atLeast(9);
    }

    @Override
    public int compareTo(TalosVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
