package dev.talosburst.autoscaler.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.proto.externalgrpc.InstanceStatus;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesResponse;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A pool's NodeGroupNodes answer is given again while its instances are unchanged, and built anew when one changes. */
class RepeatedAnswersTest {

    private final RepeatedAnswers<InstanceView, NodeGroupNodesResponse> answers =
            new RepeatedAnswers<>(NodeGroupMessages::nodesAnswer);

    @Test
    void theSameInstancesGetTheSameAnswerAndAChangedOneANewAnswer() {
        List<InstanceView> first = new ArrayList<>(List.of(
                new InstanceView("hcloud://1", InstanceView.State.RUNNING, Optional.empty()),
                new InstanceView("hcloud://2", InstanceView.State.CREATING, Optional.empty())));
        NodeGroupNodesResponse a = answers.answer("pool-a", first);

        // equal views, built anew (as the engine builds them for every call)
        List<InstanceView> same = List.of(
                new InstanceView("hcloud://1", InstanceView.State.RUNNING, Optional.empty()),
                new InstanceView("hcloud://2", InstanceView.State.CREATING, Optional.empty()));
        assertThat(answers.answer("pool-a", same)).isSameAs(a);
        assertThat(answers.answer("pool-b", same)).as("another pool").isNotSameAs(a);

        first.set(1, new InstanceView("hcloud://2", InstanceView.State.RUNNING, Optional.empty()));
        NodeGroupNodesResponse b = answers.answer("pool-a", first);
        assertThat(b).isNotSameAs(a);
        assertThat(b.getInstances(1).getStatus().getInstanceState())
                .isEqualTo(InstanceStatus.InstanceState.instanceRunning);
        assertThat(a.getInstances(1).getStatus().getInstanceState())
                .as("the answer given before is not changed by the caller's list")
                .isEqualTo(InstanceStatus.InstanceState.instanceCreating);
        assertThat(answers.answer("pool-a", List.of()).getInstancesCount()).isZero();
    }
}
