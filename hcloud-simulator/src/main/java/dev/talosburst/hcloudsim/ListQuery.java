package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.hcloudsim.labels.InvalidLabelSelectorException;
import dev.talosburst.hcloudsim.labels.LabelSelector;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** What every list endpoint shares: label selectors, {@code sort}, {@code page}/{@code per_page} and {@code meta}. */
final class ListQuery {

    static final int DEFAULT_PER_PAGE = 25;
    /** Hetzner's documented maximum. Above it the simulator answers 422 rather than clamping (see README). */
    static final int MAX_PER_PAGE = 50;

    private ListQuery() {}

    /** The request's {@code label_selector}, or 422 {@code invalid_input} explaining what is wrong with it. */
    static LabelSelector selector(ParsedRequest req) {
        try {
            return LabelSelector.parse(req.param("label_selector"));
        } catch (InvalidLabelSelectorException e) {
            throw ApiException.invalidInput("label_selector", e.getMessage());
        }
    }

    /**
     * Sorts by the request's {@code sort} values ({@code field[:asc|:desc]}, repeatable, earlier wins), then by id;
     * an unknown field is 422 naming the accepted ones.
     */
    static <T> List<T> sort(ParsedRequest req, List<T> items, Map<String, Comparator<T>> fields, Comparator<T> byId) {
        Comparator<T> order = null;
        for (String raw : req.params("sort")) {
            String field = raw;
            boolean desc = false;
            int colon = raw.indexOf(':');
            if (colon >= 0) {
                field = raw.substring(0, colon);
                String dir = raw.substring(colon + 1);
                if (!dir.equals("asc") && !dir.equals("desc")) {
                    throw ApiException.invalidInput("sort", "sort direction of '" + raw + "' must be asc or desc");
                }
                desc = dir.equals("desc");
            }
            Comparator<T> c = fields.get(field);
            if (c == null) {
                throw ApiException.invalidInput("sort", "cannot sort by '" + field + "'; allowed: " + fields.keySet());
            }
            c = desc ? c.reversed() : c;
            order = order == null ? c : order.thenComparing(c);
        }
        List<T> sorted = new ArrayList<>(items);
        sorted.sort(order == null ? byId : order.thenComparing(byId));
        return sorted;
    }

    /** The page the request asks for, rendered under {@code key}, with {@code meta.pagination}. */
    static <T> ObjectNode page(ParsedRequest req, List<T> items, String key, Function<T, JsonNode> render) {
        int page = intParam(req, "page", 1);
        int perPage = intParam(req, "per_page", DEFAULT_PER_PAGE);
        if (page < 1) {
            throw ApiException.invalidInput("page", "page must be 1 or more, got " + page);
        }
        if (perPage < 1 || perPage > MAX_PER_PAGE) {
            throw ApiException.invalidInput(
                    "per_page", "per_page must be between 1 and " + MAX_PER_PAGE + ", got " + perPage);
        }
        int total = items.size();
        int lastPage = Math.max(1, (total + perPage - 1) / perPage);
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode array = root.putArray(key);
        int from = (int) Math.min((long) (page - 1) * perPage, total);
        int to = Math.min(from + perPage, total);
        for (T item : items.subList(from, to)) {
            array.add(render.apply(item));
        }
        ObjectNode pagination = root.putObject("meta").putObject("pagination");
        pagination.put("page", page);
        pagination.put("per_page", perPage);
        if (page > 1) {
            pagination.put("previous_page", Math.min(page - 1, lastPage));
        } else {
            pagination.putNull("previous_page");
        }
        if (page < lastPage) {
            pagination.put("next_page", page + 1);
        } else {
            pagination.putNull("next_page");
        }
        pagination.put("last_page", lastPage);
        pagination.put("total_entries", total);
        return root;
    }

    static int intParam(ParsedRequest req, String name, int defaultValue) {
        String raw = req.param(name);
        if (raw == null || raw.isEmpty()) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw ApiException.invalidInput(name, name + " must be an integer, got '" + raw + "'");
        }
    }

    /** An optional boolean query parameter ({@code true}/{@code false}). */
    static boolean boolParam(ParsedRequest req, String name, boolean defaultValue) {
        String raw = req.param(name);
        if (raw == null || raw.isEmpty()) {
            return defaultValue;
        }
        if (raw.equals("true")) {
            return true;
        }
        if (raw.equals("false")) {
            return false;
        }
        throw ApiException.invalidInput(name, name + " must be true or false, got '" + raw + "'");
    }
}
