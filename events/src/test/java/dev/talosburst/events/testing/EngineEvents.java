package dev.talosburst.events.testing;

import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.HourlyPrice;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds lifecycle events the way the provisioning engine emits them (the engine itself is tested elsewhere). */
public final class EngineEvents {

    public static final String CLUSTER = "lab-1";
    public static final HourlyPrice CX22_FSN1 =
            new HourlyPrice(new BigDecimal("0.0060"), new BigDecimal("0.007140"), "EUR");

    private final String pool;
    private final String serverType;
    private final String location;
    private final HourlyPrice price;

    public EngineEvents(String pool, String serverType, String location, HourlyPrice price) {
        this.pool = pool;
        this.serverType = serverType;
        this.location = location;
        this.price = price;
    }

    public static EngineEvents cx22Fsn1(String pool) {
        return new EngineEvents(pool, "cx22", "fsn1", CX22_FSN1);
    }

    public String pool() {
        return pool;
    }

    /** As NodeGroupEngine.increaseSize records it: delta, previousTarget, newTarget. */
    public LifecycleEvent scaleUp(int occurrence, int delta, int newTarget, Instant at) {
        return new LifecycleEvent(
                Transition.SCALE_UP_REQUESTED,
                CLUSTER,
                pool,
                pool,
                Integer.toString(occurrence),
                at,
                null,
                null,
                null,
                Map.of(
                        "delta",
                        Integer.toString(delta),
                        "previousTarget",
                        Integer.toString(newTarget - delta),
                        "newTarget",
                        Integer.toString(newTarget)));
    }

    /** As NodeGroupEngine.deleteNodes records it: count, newTarget, servers. */
    public LifecycleEvent scaleDown(int occurrence, int count, int newTarget, Instant at, String... servers) {
        return new LifecycleEvent(
                Transition.SCALE_DOWN_REQUESTED,
                CLUSTER,
                pool,
                pool,
                Integer.toString(occurrence),
                at,
                null,
                null,
                null,
                Map.of(
                        "count",
                        Integer.toString(count),
                        "newTarget",
                        Integer.toString(newTarget),
                        "servers",
                        String.join(",", servers)));
    }

    public ServerFacts facts(
            String name, Instant requested, Instant created, Instant registered, Instant ready, Instant deleted) {
        return new ServerFacts(
                name,
                serverType,
                location,
                "amd64",
                424242L,
                Map.of("talos-burst/cluster", CLUSTER, "talos-burst/pool", pool, "managed-by", "talos-burst"),
                price,
                requested,
                created,
                created,
                registered,
                ready,
                deleted);
    }

    /** create-requested at t, created t+20s, registered t+70s, ready t+90s. */
    public List<LifecycleEvent> serverUp(String name, long id, Instant t) {
        Instant created = t.plusSeconds(20);
        Instant registered = t.plusSeconds(70);
        Instant ready = t.plusSeconds(90);
        List<LifecycleEvent> out = new ArrayList<>();
        out.add(server(Transition.SERVER_CREATE_REQUESTED, name, null, facts(name, t, null, null, null, null), t));
        out.add(server(Transition.SERVER_CREATED, name, id, facts(name, t, created, null, null, null), created));
        out.add(server(
                Transition.NODE_REGISTERED, name, id, facts(name, t, created, registered, null, null), registered));
        out.add(server(Transition.NODE_READY, name, id, facts(name, t, created, registered, ready, null), ready));
        return out;
    }

    /** server-deleted at {@code deleted}, node-removed 5 s later; the server came up as in {@link #serverUp}. */
    public List<LifecycleEvent> serverDown(String name, long id, Instant t, Instant deleted) {
        ServerFacts f = facts(name, t, t.plusSeconds(20), t.plusSeconds(70), t.plusSeconds(90), deleted);
        return List.of(
                new LifecycleEvent(
                        Transition.SERVER_DELETED, CLUSTER, pool, name, "", deleted, id, f, "scale-down", Map.of()),
                new LifecycleEvent(
                        Transition.NODE_REMOVED,
                        CLUSTER,
                        pool,
                        name,
                        "",
                        deleted.plusSeconds(5),
                        id,
                        f,
                        "scale-down",
                        Map.of()));
    }

    public LifecycleEvent server(Transition t, String name, Long id, ServerFacts f, Instant at) {
        return new LifecycleEvent(t, CLUSTER, pool, name, "", at, id, f, null, Map.of());
    }

    public static Instant created(Instant t) {
        return t.plus(Duration.ofSeconds(20));
    }
}
