package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** An API error answered as Hetzner does: {@code {"error":{"code","message","details"}}} with an HTTP status. */
final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    final int status;
    final String code;
    final transient JsonNode details;

    ApiException(int status, String code, String message, JsonNode details) {
        super(message);
        this.status = status;
        this.code = code;
        this.details = details == null ? NullNode.getInstance() : details;
    }

    /** 422 {@code invalid_input} naming the field, with {@code details.fields[{name, messages}]}. */
    static ApiException invalidInput(String field, String message) {
        ObjectNode details = Json.MAPPER.createObjectNode();
        ArrayNode fields = details.putArray("fields");
        ObjectNode f = fields.addObject();
        f.put("name", field);
        f.putArray("messages").add(message);
        return new ApiException(422, "invalid_input", "invalid input in field '" + field + "'", details);
    }

    /** 422 {@code invalid_input} about a query parameter or the request as a whole. */
    static ApiException invalidInput(String message) {
        return new ApiException(422, "invalid_input", message, null);
    }

    static ApiException notFound(String what) {
        return new ApiException(404, "not_found", what + " not found", null);
    }

    /** {@code value}, or a 404 {@code not_found} naming the resource and id. */
    static <T> T found(T value, String resource, long id) {
        if (value == null) {
            throw notFound(resource + " with ID '" + id + "'");
        }
        return value;
    }

    ObjectNode body() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", getMessage());
        error.set("details", details);
        return root;
    }
}
