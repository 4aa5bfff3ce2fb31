package dev.talosburst.hcloudsim.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorTest {

    private static final Map<String, String> PROD_WEB =
            Map.of("env", "production", "type", "web", "hcloud/node-group", "pool-a", "empty", "");

    @ParameterizedTest(name = "[{0}] matches={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "env=production                      | true",
                "env==production                     | true",
                "env=staging                         | false",
                "env!=staging                        | true",
                "env!=production                     | false",
                "missing!=x                          | true",
                "env                                 | true",
                "missing                             | false",
                "!missing                            | true",
                "!env                                | false",
                "env in (testing,production)         | true",
                "env in (testing,staging)            | false",
                "env in (production)                 | true",
                "missing in (a,b)                    | false",
                "env notin (testing,staging)         | true",
                "env notin (production,staging)      | false",
                "missing notin (a,b)                 | true",
                "env=production,type!=database       | true",
                "env=production,type=database        | false",
                "env in (a,production),type in (web) | true",
                "env in (a,production),!type         | false",
                "hcloud/node-group=pool-a            | true",
                "hcloud/node-group=pool-b            | false",
                "empty=                              | true",
                "empty                               | true",
                "env = production                    | true",
                "env in ( testing , production )     | true",
                "env notin (a, b),type=web           | true",
            })
    void evaluatesTerms(String selector, boolean expected) {
        assertThat(LabelSelector.parse(selector).matches(PROD_WEB)).isEqualTo(expected);
    }

    @Test
    void blankSelectorMatchesEverything() {
        assertThat(LabelSelector.parse("").matches(Map.of())).isTrue();
        assertThat(LabelSelector.parse(null).matches(PROD_WEB)).isTrue();
        assertThat(LabelSelector.parse("  ").matches(PROD_WEB)).isTrue();
    }

    @Test
    void commasInsideParenthesesDoNotSplitTerms() {
        LabelSelector s = LabelSelector.parse("env in (a,b,c),type=web");
        assertThat(s.matches(Map.of("env", "b", "type", "web"))).isTrue();
        assertThat(s.matches(Map.of("env", "b", "type", "db"))).isFalse();
        assertThat(s.matches(Map.of("env", "d", "type", "web"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "env=production,",
                ",env",
                "=value",
                "env in (a,b",
                "env in a,b)",
                "env in ((a))",
                "env=a b",
                "-env=x",
                "env=-x",
                "env in (a,,b)",
                "env notin ()",
                "!",
                "env=x=y",
                "bad key=x",
            })
    void rejectsInvalidSelectors(String selector) {
        assertThatThrownBy(() -> LabelSelector.parse(selector))
                .isInstanceOf(InvalidLabelSelectorException.class)
                .hasMessageContaining("'");
    }

    @Test
    void emptyValueSelectsEmptyLabels() {
        assertThat(LabelSelector.parse("env==").matches(Map.of("env", ""))).isTrue();
        assertThat(LabelSelector.parse("env==").matches(Map.of("env", "x"))).isFalse();
        assertThat(LabelSelector.parse("env==").matches(Map.of())).isFalse();
    }

    @Test
    void errorNamesTheOffendingTerm() {
        assertThatThrownBy(() -> LabelSelector.parse("env=ok,ty pe=web")).hasMessageContaining("ty pe=web");
    }
}
