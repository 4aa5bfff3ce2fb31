package dev.talosburst.autoscaler.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The metric catalogue of the root README (section "Metrics") and the metric families of a Prometheus scrape. */
public final class MetricCatalogue {
    private static final Pattern ROW =
            Pattern.compile("^\\| `(talosburst_[a-z0-9_]+)` \\| ([a-z]+) \\| ([^|]*) \\| (.*) \\|$");
    private static final Pattern TYPE = Pattern.compile("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ([a-z]+)$");

    /** One row: name, Prometheus type, and whether it exists only after a first failure. */
    public record Entry(String name, String type, boolean fromStartUp) {}

    private MetricCatalogue() {}

    /** The README's rows, by metric name. */
    public static Map<String, Entry> readme(Path readme) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (String line : Files.readAllLines(readme)) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                entries.put(
                        m.group(1),
                        new Entry(m.group(1), m.group(2), !m.group(4).contains("Appears with the first failure")));
            }
        }
        return entries;
    }

    /** Family name → type from the {@code # TYPE} lines of a scrape. */
    public static Map<String, String> families(String scrape) {
        Map<String, String> families = new LinkedHashMap<>();
        for (String line : scrape.lines().toList()) {
            Matcher m = TYPE.matcher(line);
            if (m.matches()) {
                families.put(m.group(1), m.group(2));
            }
        }
        return families;
    }

    /**
     * The catalogue names (and types) a scrape's {@code talosburst_*} families stand for: a counter as {@code name_total},
     * and a summary's or histogram's {@code _max} gauge folded into its own name.
     */
    public static Map<String, String> talosburstTypes(String scrape) {
        Map<String, String> named = new TreeMap<>();
        families(scrape).forEach((name, type) -> {
            if (name.startsWith("talosburst_")) {
                named.put(type.equals("counter") && !name.endsWith("_total") ? name + "_total" : name, type);
            }
        });
        Map<String, String> folded = new TreeMap<>();
        named.forEach((name, type) -> {
            boolean maxOfAnother = name.endsWith("_max") && named.containsKey(name.substring(0, name.length() - 4));
            if (!maxOfAnother) {
                folded.put(name, type);
            }
        });
        return folded;
    }
}
