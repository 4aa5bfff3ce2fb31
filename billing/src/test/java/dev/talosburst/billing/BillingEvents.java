package dev.talosburst.billing;

import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Lifecycle events of two cx22 servers in pool {@code burst}, as the engine emits them. */
final class BillingEvents {

    static final HourlyPrice CX22 = new HourlyPrice(
            new BigDecimal("0.0060"),
            new BigDecimal("0.007140"),
            "EUR",
            new BigDecimal("3.79"),
            new BigDecimal("4.5101"));

    private BillingEvents() {}

    /** A: 2026-11-20 10:00-12:30; B: 2026-11-20 23:30 - 2026-11-21 01:10. */
    static List<LifecycleEvent> twoServersOfPoolBurst() {
        return List.of(
                created("burst-a", 1L, Instant.parse("2026-11-20T10:00:00Z")),
                deleted("burst-a", 1L, Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T12:30:00Z")),
                created("burst-b", 2L, Instant.parse("2026-11-20T23:30:00Z")),
                deleted("burst-b", 2L, Instant.parse("2026-11-20T23:30:00Z"), Instant.parse("2026-11-21T01:10:00Z")));
    }

    /** The {@code server-created} and {@code server-deleted} of one more cx22 server of pool {@code burst}. */
    static LifecycleEvent[] server(String name, long id, Instant created, Instant deleted) {
        return new LifecycleEvent[] {created(name, id, created), deleted(name, id, created, deleted)};
    }

    /** A {@code server-reaped} event at {@code at} about a server that lived from {@code created} to {@code deleted}. */
    static LifecycleEvent reaped(String name, long id, Instant created, Instant deleted, Instant at) {
        return new LifecycleEvent(
                Transition.SERVER_REAPED,
                "billing-lab",
                "burst",
                name,
                "",
                at,
                id,
                facts(name, created, deleted),
                null,
                Map.of());
    }

    private static ServerFacts facts(String name, Instant created, Instant deleted) {
        return new ServerFacts(
                name,
                "cx22",
                "fsn1",
                "amd64",
                42L,
                Map.of(),
                CX22,
                created.minusSeconds(10),
                created,
                null,
                null,
                null,
                deleted);
    }

    private static LifecycleEvent created(String name, long id, Instant at) {
        return new LifecycleEvent(
                Transition.SERVER_CREATED,
                "billing-lab",
                "burst",
                name,
                "",
                at,
                id,
                facts(name, at, null),
                null,
                Map.of());
    }

    private static LifecycleEvent deleted(String name, long id, Instant created, Instant at) {
        return new LifecycleEvent(
                Transition.SERVER_DELETED,
                "billing-lab",
                "burst",
                name,
                "",
                at,
                id,
                facts(name, created, at),
                null,
                Map.of());
    }
}
