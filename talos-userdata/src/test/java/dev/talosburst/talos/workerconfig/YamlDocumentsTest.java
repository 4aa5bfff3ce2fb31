package dev.talosburst.talos.workerconfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** YAML in and out: comments dropped, every scalar keeps its type, multi-line strings survive. */
class YamlDocumentsTest {

    private static List<ObjectNode> parse(String yaml) {
        return YamlDocuments.parse(
                yaml,
                e -> new WorkerConfigException(
                        WorkerConfigException.Problem.INVALID_PATCH, "bad" + e.where() + ": " + e.problem()));
    }

    @Test
    void roundTripKeepsTypesOfTrickyScalars() {
        String yaml = """
                # a comment that must not survive
                a: off            # yaml.v3 reads this as a string
                b: "off"
                c: "1.0"
                d: "0123"
                e: ""
                f: "null"
                g: "true"
                h: 7445
                i: true
                j: "~"
                k: "yes"
                l: "- dash"
                m: "key: value"
                n: "#hash"
                o: |
                  -----BEGIN CERTIFICATE-----
                  MIIB
                  -----END CERTIFICATE-----
                p: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
                q: {}
                r: []
                ---
                kind: Second
                """;
        List<ObjectNode> docs = parse(yaml);
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).get("a").isTextual()).isTrue();
        assertThat(docs.get(0).get("h").isInt()).isTrue();
        assertThat(docs.get(0).get("i").isBoolean()).isTrue();
        String written = YamlDocuments.write(docs);
        assertThat(written)
                .doesNotContain("comment")
                .contains("\n---\nkind: Second\n")
                .contains(
                        "p: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        assertThat(parse(written)).isEqualTo(docs);
        assertThat(parse(written).get(0).get("o").asText()).endsWith("-----END CERTIFICATE-----\n");
    }

    @Test
    void acceptsAByteOrderMarkAndWindowsLineEnds() {
        assertThat(parse("\uFEFFa: 1\r\nb: x\r\n"))
                .singleElement()
                .satisfies(d -> assertThat(d.get("b").asText()).isEqualTo("x"));
    }

    @Test
    void reportsPositionsAndDuplicateKeys() {
        assertThatThrownBy(() -> parse("a: 1\nb: [\n")).hasMessageStartingWith("bad at line");
        assertThatThrownBy(() -> parse("a: 1\na: 2\n")).hasMessageContaining("Duplicate field 'a'");
    }
}
