package dev.talosburst.hcloudsim.labels;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Hetzner's rules for label keys and values (the regexes hcloud-go and hcloud-python use). */
public final class LabelRules {

    private static final Pattern KEY = Pattern.compile(
            "^([a-z0-9A-Z]((?:[\\-_.]|[a-z0-9A-Z]){0,253}[a-z0-9A-Z])?/)?[a-z0-9A-Z]((?:[\\-_.]|[a-z0-9A-Z]|){0,61}[a-z0-9A-Z])?$");
    private static final Pattern VALUE =
            Pattern.compile("^(([a-z0-9A-Z](?:[\\-_.]|[a-z0-9A-Z]){0,61})?[a-z0-9A-Z]$|$)");
    /** Hetzner reserves this prefix for its own labels. */
    private static final String RESERVED_PREFIX = "hetzner.cloud/";

    private LabelRules() {}

    /** True when {@code key} is a syntactically valid label key (reserved prefixes are still valid syntax). */
    public static boolean isValidKey(String key) {
        return key != null && KEY.matcher(key).matches();
    }

    /** True when {@code value} is a valid label value (empty is valid). */
    public static boolean isValidValue(String value) {
        return value != null && VALUE.matcher(value).matches();
    }

    /** The first problem with a label set a user wants to store, or empty when the set is valid. */
    public static Optional<String> problemWith(Map<String, String> labels) {
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (!isValidKey(e.getKey())) {
                return Optional.of(
                        "label key '" + e.getKey() + "' is invalid: at most 63 characters (plus an optional"
                                + " DNS-subdomain prefix and '/'), beginning and ending with a letter or digit, with '-', '_', '.' between");
            }
            if (e.getKey().startsWith(RESERVED_PREFIX)) {
                return Optional.of("label key '" + e.getKey() + "' uses the reserved prefix '" + RESERVED_PREFIX + "'");
            }
            if (!isValidValue(e.getValue())) {
                return Optional.of(
                        "label value '" + e.getValue() + "' of key '" + e.getKey() + "' is invalid: empty, or at most"
                                + " 63 characters beginning and ending with a letter or digit, with '-', '_', '.' between");
            }
        }
        return Optional.empty();
    }
}
