package dev.talosburst.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.events.model.NodeCloudEvent;
import dev.talosburst.events.model.NodeEventMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart of the billing service: the book is rebuilt from its store, and the events Kafka delivers again (offsets
 * not committed before the stop) are recognised by id and not counted twice.
 */
class BillingBookRestartTest {

    @Test
    void eventsDeliveredAgainAfterARestartAreNotCountedTwice(@TempDir Path dir) throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T00:00:00Z"), ZoneOffset.UTC);
        NodeEventMapper mapper = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);
        List<NodeCloudEvent> events = BillingEvents.twoServersOfPoolBurst().stream()
                .map(mapper::toCloudEvent)
                .toList();

        var before = List.<dev.talosburst.events.ledger.PoolDayUsage>of();
        try (BillingBook first = new BillingBook(dir, clock, new SimpleMeterRegistry(), 62)) {
            for (NodeCloudEvent e : events) {
                assertThat(first.record(e)).isEqualTo(BillingBook.Outcome.COUNTED);
            }
            before = first.usage();
        }
        assertThat(before).extracting(u -> u.nodeHours()).containsExactly(4L, 1L);

        try (BillingBook second = new BillingBook(dir, clock, new SimpleMeterRegistry(), 62)) {
            assertThat(second.usage()).isEqualTo(before);
            for (NodeCloudEvent e : events) {
                assertThat(second.record(e)).isEqualTo(BillingBook.Outcome.DUPLICATE);
            }
            assertThat(second.usage()).isEqualTo(before);
            assertThat(second.duplicatesDropped()).isEqualTo(events.size());
        }
    }
}
