package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoResponse;
import dev.talosburst.provisioner.nodegroup.NodeTemplate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pool's template answer is given again within the same second for an equal template, and built anew otherwise. */
class TemplateAnswersTest {

    private final TemplateAnswers answers = new TemplateAnswers();
    private final Instant t = Instant.parse("2026-12-05T10:00:00.100Z");

    @Test
    void anEqualTemplateInTheSameSecondGetsTheSameAnswer() {
        NodeGroupTemplateNodeInfoResponse a = answers.answer("pool-a", template("cx22"), t);
        assertThat(answers.answer("pool-a", template("cx22"), t.plusMillis(800)))
                .as("same second, equal template")
                .isSameAs(a);

        NodeGroupTemplateNodeInfoResponse nextSecond = answers.answer("pool-a", template("cx22"), t.plusSeconds(1));
        assertThat(nextSecond).isNotSameAs(a);
        assertThat(nextSecond
                        .getNodeInfo()
                        .getStatus()
                        .getConditions(0)
                        .getLastHeartbeatTime()
                        .getSeconds())
                .isEqualTo(t.getEpochSecond() + 1);

        NodeGroupTemplateNodeInfoResponse other = answers.answer("pool-a", template("cx32"), t.plusSeconds(1));
        assertThat(other).isNotSameAs(nextSecond);
        assertThat(other.getNodeInfo().getMetadata().getLabelsMap())
                .containsEntry("node.kubernetes.io/instance-type", "cx32");
        assertThat(other.getNodeBytes()).isEqualTo(other.getNodeInfo().toByteString());
    }

    private static NodeTemplate template(String type) {
        return new NodeTemplate(
                "pool-a",
                type,
                "amd64",
                Map.of("node.kubernetes.io/instance-type", type),
                List.of(),
                new NodeTemplate.Resources(2_000, 4L << 30, 40L << 30, 110),
                new NodeTemplate.Resources(1_900, 3L << 30, 38L << 30, 110));
    }
}
