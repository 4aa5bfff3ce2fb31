package dev.talosburst.events.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.talosburst.events.model.EventJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The checked-in JSON Schema of event data, loaded from the module's resources as consumers would. */
public final class DataSchema {

    public static final String RESOURCE = "/schemas/node-lifecycle-v1.schema.json";
    private static final JsonSchema SCHEMA = load();

    private DataSchema() {}

    private static JsonSchema load() {
        try (InputStream in = DataSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath");
            }
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                    .formatAssertionsEnabled(true)
                    .build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validation errors of one data document (empty = valid). */
    public static List<String> errors(byte[] json) {
        try {
            JsonNode node = EventJson.mapper().readTree(json);
            return SCHEMA.validate(node).stream()
                    .map(ValidationMessage::toString)
                    .toList();
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }
}
