package dev.talosburst.autoscaler.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.talosburst.autoscaler.testing.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PrometheusRule in {@code k8s/monitoring/} is valid for Prometheus ({@code promtool check rules}) and every alert
 * in it fires, and stays quiet, as {@code k8s/monitoring/tests/alerts.test.yaml} says ({@code promtool test rules}).
 */
class AlertRulesTest {
    static final Path RULE = Path.of("..", "k8s", "monitoring", "prometheusrule.yaml");
    private static final Path UNIT_TESTS = Path.of("..", "k8s", "monitoring", "tests", "alerts.test.yaml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path dir;

    @Test
    void everyAlertHasAUnitTestAndTheyPass() throws Exception {
        Promtool.require("promtool");
        Path rules = writeRuleGroups(dir);
        Promtool.Result check = Promtool.run(null, "check", "rules", rules.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();

        List<String> alerts = alertNames();
        String tests = Files.readString(UNIT_TESTS);
        for (String alert : alerts) {
            assertThat(tests).as("a promtool unit test for " + alert).contains("alertname: " + alert);
        }
        Files.copy(UNIT_TESTS, dir.resolve("alerts.test.yaml"));
        Promtool.Result result = Promtool.run(
                null, "test", "rules", dir.resolve("alerts.test.yaml").toString());
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    /** Writes the PrometheusRule's {@code spec} (plain Prometheus rule groups) to {@code dir/rules.yaml}. */
    static Path writeRuleGroups(Path dir) throws Exception {
        JsonNode rule = YAML.readTree(RULE.toFile());
        Path rules = dir.resolve("rules.yaml");
        YAML.writeValue(rules.toFile(), rule.get("spec"));
        return rules;
    }

    /** The alert rules of the PrometheusRule: name and expression. */
    static List<String[]> alerts() throws Exception {
        List<String[]> alerts = new ArrayList<>();
        for (JsonNode group : YAML.readTree(RULE.toFile()).get("spec").get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                if (rule.has("alert")) {
                    alerts.add(new String[] {
                        rule.get("alert").asText(), rule.get("expr").asText()
                    });
                }
            }
        }
        return alerts;
    }

    private static List<String> alertNames() throws Exception {
        return alerts().stream().map(a -> a[0]).toList();
    }
}
