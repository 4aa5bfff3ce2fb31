package dev.talosburst.events.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checkpoint rule: a partition's checkpoint never passes an acknowledged event whose state record Kafka has not
 * acknowledged (as of a version sent after the event), nor a failed send that may have landed.
 */
class TailCheckpointsTest {

    private final TailCheckpoints checkpoints = new TailCheckpoints("c", "events");

    @Test
    void aCheckpointWaitsForTheStateRecordSentAfterTheEvent() {
        checkpoints.acknowledged(0, 10, "c/s-1", 1);
        checkpoints.acknowledged(0, 11, "c/s-2", 1);
        checkpoints.acknowledged(0, 12, "c/s-1", 2);
        checkpoints.seen(0, 13); // the tail reader passed them all
        assertThat(checkpoints.due()).isEqualTo(Map.of(0, 10L));

        checkpoints.stateWritten("c/s-1", 1); // a record sent before offset 12 was acknowledged: 12 stays open
        assertThat(checkpoints.due()).isEqualTo(Map.of(0, 11L));
        checkpoints.stateWritten("c/s-2", 1);
        assertThat(checkpoints.due()).isEqualTo(Map.of(0, 12L));
        checkpoints.stateWritten("c/s-1", 2);
        assertThat(checkpoints.due()).isEqualTo(Map.of(0, 13L));

        checkpoints.stored(0, 13);
        assertThat(checkpoints.due()).isEmpty();
    }

    @Test
    void aSendThatMayHaveLandedHoldsItsPartition() {
        checkpoints.seen(1, 5);
        checkpoints.uncertain("id-x", 1); // if it landed, it is at offset 5 or later
        checkpoints.acknowledged(1, 7, "c/s-3", 1);
        checkpoints.stateWritten("c/s-3", 1);
        checkpoints.seen(1, 8);
        assertThat(checkpoints.due()).isEqualTo(Map.of(1, 5L));

        checkpoints.settled("id-x"); // acknowledged on a retry, or found published
        assertThat(checkpoints.due()).isEqualTo(Map.of(1, 8L));
    }

    @Test
    void anAcknowledgementDoesNotMoveTheCheckpointPastWhatTheTailReaderRead() {
        // Offsets 15..19 may hold another replica's events (a demoted leader's late outcome): only reading them tells.
        checkpoints.seen(0, 15);
        checkpoints.acknowledged(0, 20, "c/s-1", 1);
        checkpoints.stateWritten("c/s-1", 1);
        assertThat(checkpoints.due()).isEqualTo(Map.of(0, 15L));

        checkpoints.seen(0, 21);
        assertThat(checkpoints.due()).isEqualTo(Map.of(0, 21L));
    }

    @Test
    void aResetForgetsEverythingIncludingWhatWasStored() {
        checkpoints.seen(0, 15);
        checkpoints.acknowledged(0, 12, "c/s-1", 1);
        checkpoints.stored(0, 12);
        checkpoints.disable();
        checkpoints.reset();
        assertThat(checkpoints.due()).isEmpty();
        assertThat(checkpoints.start(0)).isNull();
        checkpoints.seen(0, 3);
        assertThat(checkpoints.due()).as("enabled again").isEqualTo(Map.of(0, 3L));
    }

    @Test
    void onlyThisClustersCheckpointsOfThisTopicAreReadBack() {
        checkpoints.readBack("c/#checkpoint/0", json("events", 0, 42));
        checkpoints.readBack("other/#checkpoint/1", json("events", 1, 7));
        checkpoints.readBack("c/#checkpoint/2", json("other-topic", 2, 9));
        assertThat(checkpoints.start(0)).isEqualTo(42L);
        assertThat(checkpoints.start(1)).isNull();
        assertThat(checkpoints.start(2)).isNull();
        assertThat(TailCheckpoints.isCheckpoint("c/#checkpoint/0")).isTrue();
        assertThat(TailCheckpoints.isCheckpoint("c/fsn1-burst-x1")).isFalse();
    }

    private static byte[] json(String topic, int partition, long offset) {
        return dev.talosburst.events.model.EventJson.write(new TailCheckpoints.Checkpoint(topic, partition, offset));
    }
}
