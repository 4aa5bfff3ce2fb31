package dev.talosburst.talos.workerconfig;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads and writes YAML streams of Talos config documents (multi-document, comments dropped). */
final class YamlDocuments {

    static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    // Talos decodes with yaml.v3, where `off`/`yes` are strings (HostnameConfig auto: off)
                    .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            // long base64 certificates must stay on one line
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            // a label value "1.0" must stay a string
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .build();

    private YamlDocuments() {}

    /**
     * Parses a YAML stream into its mapping documents; empty documents are skipped.
     *
     * @param describeError turns (line, column, parser problem) into the exception to throw; the problem text is
     *     null when the caller must not see it (it may quote content)
     */
    static List<ObjectNode> parse(String yaml, Function<ParseError, WorkerConfigException> describeError) {
        List<ObjectNode> documents = new ArrayList<>();
        String text = yaml.startsWith("\uFEFF") ? yaml.substring(1) : yaml; // editors on Windows add a BOM
        try (JsonParser parser = MAPPER.createParser(text);
                MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(parser)) {
            int index = 0;
            while (it.hasNextValue()) {
                index++;
                JsonLocation start = parser.currentTokenLocation();
                JsonNode node = it.nextValue();
                if (node == null || node.isNull() || node.isMissingNode()) {
                    continue;
                }
                if (!node.isObject()) {
                    throw describeError.apply(new ParseError(
                            start.getLineNr(),
                            start.getColumnNr(),
                            "document " + index + " is a "
                                    + node.getNodeType().name().toLowerCase() + ", expected a mapping (key: value)",
                            false));
                }
                documents.add((ObjectNode) node);
            }
        } catch (JsonProcessingException e) {
            JsonLocation where = e.getLocation();
            throw describeError.apply(new ParseError(
                    where == null ? -1 : where.getLineNr(),
                    where == null ? -1 : where.getColumnNr(),
                    problemOf(e),
                    true));
        } catch (IOException e) {
            throw describeError.apply(new ParseError(-1, -1, "I/O error", false));
        }
        return documents;
    }

    /** Serialises documents as one YAML stream without comments, documents separated by {@code ---}. */
    static String write(List<ObjectNode> documents) {
        StringBuilder out = new StringBuilder();
        for (ObjectNode document : documents) {
            if (out.length() > 0) {
                out.append("---\n");
            }
            try {
                out.append(MAPPER.writeValueAsString(document));
            } catch (JsonProcessingException e) {
                // a tree of plain JSON nodes always serialises; the message would not be safe to show anyway
                throw new IllegalStateException("cannot serialise a config document as YAML", null);
            }
        }
        return out.toString();
    }

    /** The parser's short problem phrase (e.g. "mapping values are not allowed here"), without quoted context. */
    private static String problemOf(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked && marked.getProblem() != null) {
                return marked.getProblem();
            }
        }
        String original = e.getOriginalMessage();
        if (original != null && original.startsWith("Duplicate field")) {
            return original; // names the key, not a value
        }
        return "invalid YAML";
    }

    /**
     * Where a YAML stream failed to parse and why.
     *
     * @param fromParser true when {@code problem} is the parser's phrase, which may quote a character of the
     *     content; false when it is talos-burst's own description
     */
    record ParseError(int line, int column, String problem, boolean fromParser) {
        String where() {
            return line < 0 ? "" : " at line " + line + ", column " + column;
        }
    }
}
