package dev.talosburst.hcloud.client;

import java.util.Objects;

/**
 * The Hetzner Cloud API token. It leaves memory only as the {@code Authorization} header:
 * {@link #toString()} is redacted and there is deliberately no equals/hashCode that could leak it through comparisons in logs.
 */
public final class ApiToken {

    private final String value;

    private ApiToken(String value) {
        this.value = value;
    }

    /**
     * Wraps a token.
     *
     * @throws IllegalArgumentException when blank or containing whitespace/control characters (which would corrupt the header);
     *                                  the message never repeats the token
     */
    public static ApiToken of(String value) {
        Objects.requireNonNull(
                value, "Hetzner API token is missing: set HCLOUD_TOKEN (a read/write project API token)");
        String trimmed = value.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException(
                    "Hetzner API token is empty: set HCLOUD_TOKEN (a read/write project API token)");
        }
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (c <= ' ' || c == 127) {
                throw new IllegalArgumentException(
                        "Hetzner API token contains whitespace or control characters at position " + i
                                + "; copy the token again without line breaks or spaces");
            }
        }
        return new ApiToken(trimmed);
    }

    /** The value of the {@code Authorization} header. Package-private: only the transport sends it. */
    String authorizationHeader() {
        return "Bearer " + value;
    }

    /** True when {@code text} contains the token (used to scrub anything that might be logged or thrown). */
    boolean appearsIn(String text) {
        return text != null && text.contains(value);
    }

    /** Replaces every occurrence of the token in {@code text}. */
    String scrub(String text) {
        return text == null ? null : text.replace(value, "<redacted>");
    }

    @Override
    public String toString() {
        return "ApiToken[<redacted>]";
    }
}
