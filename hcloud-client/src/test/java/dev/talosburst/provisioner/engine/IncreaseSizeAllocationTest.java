package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.provisioner.pool.NodePool;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * IncreaseSize costs what it creates, never the fleet: the bytes CA's calling thread allocates per call are the same
 * with 200 and with 2,000 slots in the view (a copy or scan of the fleet would grow them tenfold). Allocation, not
 * time: deterministic enough on a busy machine.
 */
class IncreaseSizeAllocationTest {
    private static final int CALLS = 200;

    @Test
    void increaseSizeAllocatesTheSameWithTenTimesTheFleet() {
        long small = bytesPerIncrease(200);
        long large = bytesPerIncrease(2_000);

        System.out.printf(
                "IncreaseSize(1) allocates %d bytes/call with 200 slots in the view, %d with 2,000%n", small, large);
        assertThat(large).isLessThan(small * 3 / 2 + 1_024);
    }

    private static long bytesPerIncrease(int fleetSize) {
        try (EngineFixture fx = new EngineFixture()) {
            // every creation fails fast (a remembered stock-out): the fleet is failed creations CA has not deleted yet,
            // built without a Hetzner call each, and the create workers stay cheap while CA's thread is measured
            fx.sim.faults().stockOut("cax11", "fsn1");
            NodePool fleet = EngineFixture.pool("fleet", "cax11", "fsn1", 0, 5_000);
            NodePool burst = EngineFixture.pool("burst", "cax11", "fsn1", 0, 5_000);
            NodeGroupEngine engine = fx.engine(fleet, burst);
            engine.start();
            engine.increaseSize("fleet", fleetSize);
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> engine.instances("fleet").stream()
                            .allMatch(i -> i.error().isPresent()));
            for (int i = 0; i < 50; i++) {
                engine.increaseSize("burst", 1); // warm-up: JIT and lazily built structures
            }
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < CALLS; i++) {
                engine.increaseSize("burst", 1);
            }
            long perCall = (threads.getThreadAllocatedBytes(thread) - before) / CALLS;
            assertThat(engine.targetSize("fleet")).isEqualTo(fleetSize);
            return perCall;
        }
    }
}
