package dev.talosburst.hcloudsim.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelRulesTest {

    @Test
    void acceptsHetznerStyleKeysAndValues() {
        assertThat(LabelRules.isValidKey("env")).isTrue();
        assertThat(LabelRules.isValidKey("example.com/my")).isTrue();
        assertThat(LabelRules.isValidKey("hcloud/node-group")).isTrue();
        assertThat(LabelRules.isValidKey("a".repeat(63))).isTrue();
        assertThat(LabelRules.isValidValue("")).isTrue();
        assertThat(LabelRules.isValidValue("v1.11.6")).isTrue();
        assertThat(LabelRules.isValidValue("a".repeat(63))).isTrue();
    }

    @Test
    void rejectsMalformedKeysAndValues() {
        assertThat(LabelRules.isValidKey("")).isFalse();
        assertThat(LabelRules.isValidKey("a".repeat(64))).isFalse();
        assertThat(LabelRules.isValidKey("-env")).isFalse();
        assertThat(LabelRules.isValidKey("env-")).isFalse();
        assertThat(LabelRules.isValidKey("with space")).isFalse();
        assertThat(LabelRules.isValidValue("a".repeat(64))).isFalse();
        assertThat(LabelRules.isValidValue("x/y")).isFalse();
        assertThat(LabelRules.isValidValue("-x")).isFalse();
    }

    @Test
    void reportsReservedPrefixAndBadValuesWithTheKey() {
        assertThat(LabelRules.problemWith(Map.of("hetzner.cloud/x", "y")))
                .hasValueSatisfying(p -> assertThat(p).contains("reserved"));
        assertThat(LabelRules.problemWith(Map.of("k", "bad value")))
                .hasValueSatisfying(p -> assertThat(p).contains("'k'"));
        assertThat(LabelRules.problemWith(Map.of("k", "good"))).isEmpty();
    }
}
