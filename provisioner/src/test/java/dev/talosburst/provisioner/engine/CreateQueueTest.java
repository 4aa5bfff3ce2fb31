package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CreateQueueTest {

    @Test
    void poolsAreServedRoundRobinSoABigScaleUpNeverStarvesASmallOne() throws InterruptedException {
        CreateQueue queue = new CreateQueue();
        for (int i = 0; i < 100; i++) {
            queue.add(Slot.requested("big", "big-" + i, "cx22", "fsn1"));
        }
        queue.add(Slot.requested("small", "small-0", "cx22", "fsn1"));
        queue.add(Slot.requested("medium", "medium-0", "cx22", "fsn1"));
        queue.add(Slot.requested("medium", "medium-1", "cx22", "fsn1"));

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            order.add(queue.poll(1, TimeUnit.SECONDS).name());
        }

        assertThat(order)
                .containsExactly("big-0", "medium-0", "small-0", "big-1", "medium-1", "big-2", "big-3", "big-4");
        assertThat(queue.size()).isEqualTo(95);
        assertThat(queue.poll(10, TimeUnit.MILLISECONDS).name()).isEqualTo("big-5");
    }

    @Test
    void anEmptyQueueTimesOut() throws InterruptedException {
        assertThat(new CreateQueue().poll(10, TimeUnit.MILLISECONDS)).isNull();
    }
}
