package dev.talosburst.hcloudsim.labels;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Hetzner label selector: terms joined by commas (AND), each one of {@code k=v}, {@code k==v},
 * {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)}, {@code k} (present) or {@code !k} (absent).
 *
 * <p>Negative terms ({@code !=}, {@code notin}) also match resources that lack the key, as in Kubernetes,
 * whose selector grammar Hetzner copied.
 */
public final class LabelSelector {

    private static final Pattern SET_TERM = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$");

    private final String text;
    private final List<Term> terms;

    private LabelSelector(String text, List<Term> terms) {
        this.text = text;
        this.terms = terms;
    }

    /**
     * Parses a selector; a blank selector matches everything.
     *
     * @throws InvalidLabelSelectorException naming the offending term
     */
    public static LabelSelector parse(String selector) {
        if (selector == null || selector.isBlank()) {
            return new LabelSelector("", List.of());
        }
        List<Term> terms = new ArrayList<>();
        for (String raw : splitTopLevel(selector)) {
            terms.add(parseTerm(raw.trim(), selector));
        }
        return new LabelSelector(selector, List.copyOf(terms));
    }

    /** True when the labels satisfy every term. */
    public boolean matches(Map<String, String> labels) {
        for (Term t : terms) {
            if (!t.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }

    private static List<String> splitTopLevel(String selector) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (c == '(') {
                depth++;
                if (depth > 1) {
                    throw new InvalidLabelSelectorException("label selector '" + selector + "' has nested parentheses");
                }
            } else if (c == ')') {
                depth--;
                if (depth < 0) {
                    throw new InvalidLabelSelectorException("label selector '" + selector + "' has an unmatched ')'");
                }
            } else if (c == ',' && depth == 0) {
                parts.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        if (depth != 0) {
            throw new InvalidLabelSelectorException("label selector '" + selector + "' has an unclosed '('");
        }
        parts.add(selector.substring(start));
        return parts;
    }

    private static Term parseTerm(String term, String selector) {
        if (term.isEmpty()) {
            throw new InvalidLabelSelectorException(
                    "label selector '" + selector + "' has an empty term (stray comma?)");
        }
        Matcher set = SET_TERM.matcher(term);
        if (set.matches()) {
            String key = key(set.group(1), term);
            Set<String> values = new LinkedHashSet<>();
            for (String v : set.group(3).split(",", -1)) {
                if (v.isBlank()) {
                    // An empty entry ('in ()', 'in (a,,b)') is almost always a typo; use 'k==' to select empty values.
                    throw new InvalidLabelSelectorException("term '" + term + "' has an empty value in its set");
                }
                values.add(value(v.trim(), term));
            }
            boolean in = set.group(2).equals("in");
            return labels -> in
                    ? labels.containsKey(key) && values.contains(labels.get(key))
                    : !labels.containsKey(key) || !values.contains(labels.get(key));
        }
        if (term.contains("(") || term.contains(")")) {
            throw new InvalidLabelSelectorException(
                    "term '" + term + "' is not a valid 'key in (v1,v2)' or 'key notin (v1,v2)'");
        }
        int ne = term.indexOf("!=");
        if (ne >= 0) {
            String key = key(term.substring(0, ne).trim(), term);
            String value = value(term.substring(ne + 2).trim(), term);
            return labels -> !value.equals(labels.get(key));
        }
        int eq = term.indexOf('=');
        if (eq >= 0) {
            int valueStart = term.startsWith("==", eq) ? eq + 2 : eq + 1;
            String key = key(term.substring(0, eq).trim(), term);
            String value = value(term.substring(valueStart).trim(), term);
            return labels -> value.equals(labels.get(key));
        }
        if (term.startsWith("!")) {
            String key = key(term.substring(1).trim(), term);
            return labels -> !labels.containsKey(key);
        }
        String key = key(term, term);
        return labels -> labels.containsKey(key);
    }

    private static String key(String key, String term) {
        if (!LabelRules.isValidKey(key)) {
            throw new InvalidLabelSelectorException("term '" + term + "' has an invalid label key '" + key + "'");
        }
        return key;
    }

    private static String value(String value, String term) {
        if (!LabelRules.isValidValue(value)) {
            throw new InvalidLabelSelectorException("term '" + term + "' has an invalid label value '" + value + "'");
        }
        return value;
    }

    @FunctionalInterface
    private interface Term {
        boolean matches(Map<String, String> labels);
    }
}
