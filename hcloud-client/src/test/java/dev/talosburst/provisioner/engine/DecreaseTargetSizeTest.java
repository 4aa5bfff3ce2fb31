package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.hcloudsim.ServerSnapshot;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which not-yet-created servers {@code decreaseTargetSize} cancels: the newest requests, never the oldest. */
class DecreaseTargetSizeTest {
    private final EngineFixture fx = new EngineFixture();
    private final InterceptedCloud cloud = new InterceptedCloud(fx.client);

    @AfterEach
    void close() {
        cloud.releaseCreates();
        fx.close();
    }

    @Test
    void decreaseTargetSizeCancelsTheNewestPendingCreations() {
        // one create worker, held on its first create: later requests stay pending in the order CA made them
        EngineSettings settings = new EngineSettings(
                EngineFixture.CLUSTER, Duration.ofMinutes(1), null, 1, null, Duration.ofHours(1), null);
        NodeGroupEngine engine = fx.engine(settings, cloud, EngineFixture.pool("workers", "cx22", "fsn1", 0, 5));
        engine.start();
        cloud.holdCreates();

        String first = request(engine);
        await().until(() -> cloud.heldCreates() == 1); // the first is in flight now, no longer cancellable
        String second = request(engine);
        String third = request(engine);
        String fourth = request(engine);
        assertThat(engine.targetSize("workers")).isEqualTo(4);
        NodeGroupSummary atFour = engine.all().get(0);
        assertThat(atFour.debug()).contains("target 4");
        assertThat(engine.all().get(0))
                .as("the target unchanged: the same summary")
                .isSameAs(atFour);

        engine.decreaseTargetSize("workers", -2);

        assertThat(engine.targetSize("workers")).isEqualTo(2);
        assertThat(engine.all().get(0).debug()).contains("target 2");
        assertThat(pendingNames(engine)).containsExactly(first, second);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> engine.decreaseTargetSize("workers", Integer.MIN_VALUE))
                .hasMessageContaining("delta must be negative")
                .hasMessageContaining("too large");
        assertThat(engine.targetSize("workers")).isEqualTo(2);
        cloud.releaseCreates();
        fx.awaitServers("workers", 2);
        assertThat(fx.serversOf("workers"))
                .extracting(ServerSnapshot::name)
                .containsExactlyInAnyOrder(first, second)
                .doesNotContain(third, fourth);
    }

    /** One more server for the group, as CA asks for it; the name of the new pending creation. */
    private static String request(NodeGroupEngine engine) {
        List<String> before = pendingNames(engine);
        engine.increaseSize("workers", 1);
        List<String> after = new java.util.ArrayList<>(pendingNames(engine));
        after.removeAll(before);
        assertThat(after).hasSize(1);
        return after.get(0);
    }

    private static List<String> pendingNames(NodeGroupEngine engine) {
        return engine.instances("workers").stream()
                .map(InstanceView::id)
                .map(id -> id.substring(Slot.PLACEHOLDER_PREFIX.length()))
                .toList();
    }
}
