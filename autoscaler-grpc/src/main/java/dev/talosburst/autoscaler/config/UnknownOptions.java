package dev.talosburst.autoscaler.config;

import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Finds {@code talosburst.*} keys that no option reads, and suggests the option that was probably meant. */
public final class UnknownOptions {

    private static final String SEGMENT = "(?:\"[^\"]*\"|[^.\\[\\]]+)";
    private final List<Known> known;

    private record Known(String pattern, Pattern regex) {}

    /** Knows the options of these {@code @ConfigMapping} interfaces, by prefix. */
    public UnknownOptions(Map<Class<?>, String> mappings) {
        List<Known> all = new ArrayList<>();
        mappings.forEach((type, prefix) -> all.addAll(known(type, prefix)));
        this.known = List.copyOf(all);
    }

    /** One problem per unknown name, with "did you mean" when a known option is close. */
    public List<String> problems(List<String> names) {
        List<String> problems = new ArrayList<>();
        for (String name : names) {
            if (known.stream().noneMatch(k -> k.regex().matcher(name).matches())) {
                problems.add(name + ": no such option"
                        + suggestion(name).map(s -> "; did you mean " + s + "?").orElse("")
                        + " (every option is listed in the README's configuration reference)");
            }
        }
        return problems;
    }

    private java.util.Optional<String> suggestion(String name) {
        List<String> segments = segments(name);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (Known option : known) {
            String candidate = instantiate(option.pattern(), segments);
            int distance = distance(name, candidate);
            List<String> candidateSegments = segments(candidate);
            String lastSegment = segments.get(segments.size() - 1);
            boolean literalEnd =
                    !option.pattern().endsWith("*") && !option.pattern().endsWith("\"");
            boolean sameParent = candidateSegments.size() == segments.size()
                    && candidateSegments
                            .subList(0, segments.size() - 1)
                            .equals(segments.subList(0, segments.size() - 1));
            if (literalEnd
                    && sameParent
                    && lastSegment.length() >= 2
                    && candidateSegments.get(candidateSegments.size() - 1).contains(lastSegment)) {
                distance = Math.min(distance, 1); // a shortened name: "tls.ca" for "tls.client-ca"
            }
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        String lastSegment = segments.get(segments.size() - 1);
        return bestDistance <= Math.max(2, lastSegment.length() / 2)
                ? java.util.Optional.of(best)
                : java.util.Optional.empty();
    }

    /** The known pattern with its wildcards filled from the unknown name's segments at the same positions. */
    private static String instantiate(String pattern, List<String> segments) {
        List<String> parts = segments(pattern);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part.equals("*") || part.equals("\"*\"")) {
                out.add(i < segments.size() ? segments.get(i) : "<id>");
            } else {
                out.add(part.replace("[*]", "[0]"));
            }
        }
        return String.join(".", out);
    }

    private static List<String> segments(String name) {
        List<String> segments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : name.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == '.' && !quoted) {
                segments.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        segments.add(current.toString());
        return segments;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static List<Known> known(Class<?> type, String prefix) {
        Map<String, ConfigMappingInterface.Property> properties =
                ConfigMappings.getProperties(new ConfigMappings.ConfigClass(type, prefix));
        List<Known> known = new ArrayList<>();
        for (String pattern : properties.keySet()) {
            StringBuilder regex = new StringBuilder();
            for (String part : segments(pattern)) {
                if (regex.length() > 0) {
                    regex.append("\\.");
                }
                String base = part.endsWith("[*]") ? part.substring(0, part.length() - 3) : part;
                regex.append(base.equals("*") ? SEGMENT : Pattern.quote(base));
                if (part.endsWith("[*]")) {
                    regex.append("(?:\\[\\d+\\])?");
                }
            }
            known.add(new Known(pattern, Pattern.compile(regex.toString())));
        }
        return List.copyOf(known);
    }
}
