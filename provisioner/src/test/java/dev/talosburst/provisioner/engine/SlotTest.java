package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A slot's named transitions: what each returns for the caller's events, and that an illegal one is refused. */
class SlotTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aRequestedSlotGoesEitherToACreateWorkerOrToADecreaseTargetSizeNeverBoth() {
        Slot first = Slot.requested("workers", "workers-worker-first", "cx22", "fsn1");
        assertThat(first.launchRequested()).isTrue();
        assertThat(first.withdraw())
                .as("taken by a worker: no longer withdrawable")
                .isFalse();

        Slot withdrawn = Slot.requested("workers", "workers-withdrawn", "cx22", "fsn1");
        assertThat(withdrawn.withdraw()).isTrue();
        assertThat(withdrawn.withdraw()).as("once").isFalse();
        assertThat(withdrawn.launchRequested()).as("the worker lets it go").isFalse();
        assertThat(withdrawn.createInFlight()).isFalse();
        assertThat(withdrawn.giveBack())
                .as("let go meanwhile: must be queued again")
                .isTrue();
        assertThat(withdrawn.launchRequested())
                .as("given back: a worker takes it")
                .isTrue();

        Slot kept = Slot.requested("workers", "workers-kept", "cx22", "fsn1");
        assertThat(kept.withdraw()).isTrue();
        assertThat(kept.giveBack())
                .as("no worker saw it: still queued, not queued twice")
                .isFalse();
        assertThat(kept.withdraw()).as("open again").isTrue();
        kept.launchDeferred(T0);
        assertThat(kept.phase())
                .as("a follower's deferral lets a withdrawn slot go too")
                .isEqualTo(Slot.Phase.PENDING);
        assertThat(kept.giveBack()).isTrue();
    }

    @Test
    void aPendingSlotAFollowerPutBackIsDueOnceThisReplicaLeads() {
        Slot slot = Slot.requested("workers", "workers-deferred", "cx22", "fsn1");
        slot.launchDeferred(T0); // taken off the create queue by a worker of a replica that lost the lead
        assertThat(slot.phase()).isEqualTo(Slot.Phase.CREATING);
        assertThat(slot.retryDue(T0))
                .as("looked for again by the leader's tick")
                .isTrue();
        assertThat(slot.awaitsLaunch()).isTrue();
        assertThat(slot.view().state()).isEqualTo(InstanceView.State.CREATING);
    }

    @Test
    void whatCaSeesIsTheSameObjectUntilItChanges() {
        Slot slot = Slot.requested("workers", "workers-view", "cx22", "fsn1");
        InstanceView pending = slot.view();
        assertThat(slot.view()).isSameAs(pending);
        assertThat(pending.id()).isEqualTo(Slot.PLACEHOLDER_PREFIX + "workers-view");

        slot.launchRequested();
        slot.launching("cx22", "fsn1", "amd64", 7L, Map.of(), null, T0);
        assertThat(slot.view()).as("nothing CA sees changed").isSameAs(pending);
        slot.launched(43L, T0, T0);
        InstanceView created = slot.view();
        assertThat(created).isNotSameAs(pending);
        assertThat(created.id()).isEqualTo("hcloud://43");
        assertThat(created.state()).isEqualTo(InstanceView.State.CREATING);
        assertThat(slot.view()).isSameAs(created);

        slot.observed(ServerStatus.RUNNING, T0.plusSeconds(5));
        assertThat(slot.view().state()).isEqualTo(InstanceView.State.RUNNING);
        assertThat(slot.view().id()).isSameAs(created.id());
    }

    @Test
    void aServersLifeReportsEachFirstTimeOnce() {
        Slot slot = Slot.requested("workers", "workers-abc", "cx22", "fsn1");
        assertThat(slot.view().state()).isEqualTo(InstanceView.State.CREATING);
        assertThat(slot.server())
                .as("no server yet: nothing for event reconciliation")
                .isNull();

        slot.launchRequested();
        assertThat(slot.launching("cx22", "fsn1", "amd64", 7L, Map.of(), null, T0))
                .isTrue();
        slot.createAttemptFailed(T0.plusSeconds(10));
        assertThat(slot.retryDue(T0.plusSeconds(5))).isFalse();
        assertThat(slot.retryDue(T0.plusSeconds(10))).isTrue();
        slot.launchRequested();
        assertThat(slot.launching("cx22", "fsn1", "amd64", 7L, Map.of(), null, T0.plusSeconds(10)))
                .as("a retry is not a second create request")
                .isFalse();
        assertThat(slot.launched(42L, T0.plusSeconds(11), T0.plusSeconds(11))).isTrue();
        assertThat(slot.discovered(42L, T0.plusSeconds(11), T0.plusSeconds(12)))
                .as("a list finding the same server is not a second server-created")
                .isFalse();
        assertThat(slot.phase()).isEqualTo(Slot.Phase.PROVISIONING);
        assertThat(slot.instanceId()).isEqualTo("hcloud://42");

        assertThat(slot.observed(ServerStatus.RUNNING, T0.plusSeconds(20))).isTrue();
        assertThat(slot.observed(ServerStatus.RUNNING, T0.plusSeconds(30))).isFalse();
        assertThat(slot.agreesWith(ServerStatus.RUNNING)).isTrue();
        assertThat(slot.registered(T0.plusSeconds(40))).isTrue();
        assertThat(slot.registered(T0.plusSeconds(41))).isFalse();
        assertThat(slot.ready(T0.plusSeconds(50))).get().satisfies(r -> {
            assertThat(r.registeredNow()).isFalse();
            assertThat(r.firstReady()).isTrue();
            assertThat(r.occurrence()).isEmpty();
        });
        assertThat(slot.ready(T0.plusSeconds(51))).isEmpty();
        assertThat(slot.notReady()).isTrue();
        assertThat(slot.ready(T0.plusSeconds(60)))
                .get()
                .satisfies(r -> assertThat(r.occurrence())
                        .isEqualTo(Long.toString(T0.plusSeconds(60).toEpochMilli())));
        assertThat(slot.server()).satisfies(s -> {
            assertThat(s.serverId()).isEqualTo(42L);
            assertThat(s.status()).isEqualTo("running");
            assertThat(s.nodeReady()).isTrue();
            assertThat(s.facts().readyAt()).isEqualTo(T0.plusSeconds(50));
        });

        slot.deletionRequested("scale-down", T0.plusSeconds(70));
        assertThat(slot.deletionUnderWay()).isTrue();
        assertThat(slot.countedInTarget()).isFalse();
        assertThat(slot.deleted(T0.plusSeconds(80))).isTrue();
        assertThat(slot.deleted(T0.plusSeconds(90))).as("server-deleted once").isFalse();
        assertThat(slot.facts().deletedAt()).isEqualTo(T0.plusSeconds(80));
    }

    @Test
    void anIllegalTransitionIsABugNamingTheSlotAndItsPhase() {
        Slot pending = Slot.requested("workers", "workers-abc", "cx22", "fsn1");
        assertThatThrownBy(() -> pending.deletionRequested("scale-down", T0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("workers-abc")
                .hasMessageContaining("PENDING")
                .hasMessageContaining("deletionRequested");
        assertThatThrownBy(() -> pending.observed(ServerStatus.RUNNING, T0)).isInstanceOf(IllegalStateException.class);

        pending.launchRequested();
        assertThatThrownBy(pending::launchRequested)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("create in flight");

        Slot adopted = Slot.adopted("workers", server(7L, ServerStatus.RUNNING), "amd64", null, T0);
        assertThat(adopted.phase()).isEqualTo(Slot.Phase.RUNNING);
        InstanceView seen = adopted.view();
        assertThat(adopted.view()).as("an adopted server's view is built once").isSameAs(seen);
        assertThat(adopted.instanceId()).isSameAs(seen.id());
        assertThat(adopted.launched(7L, T0, T0))
                .as("its server-created is the creating process's")
                .isFalse();
        assertThatThrownBy(() -> adopted.discovered(8L, T0, T0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already 7");
        assertThatThrownBy(adopted::cancelRequested).isInstanceOf(IllegalStateException.class);
        adopted.deletionRequested("reaped", T0);
        assertThatThrownBy(() -> adopted.deletionRequested("again", T0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(
                        () -> adopted.failed(new InstanceView.ErrorInfo("x", "y", InstanceView.ErrorClass.OTHER), T0))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aTransitionOfASlotInAViewWithoutItsLockIsCaughtWhenAssertionsAreOn() {
        FleetView view = new FleetView(List.of());
        Slot slot = Slot.requested("workers", "workers-abc", "cx22", "fsn1");
        synchronized (view) {
            view.add(slot);
        }
        boolean assertions = false;
        assert assertions = true;
        assertThat(assertions)
                .as("the tests run with -ea, so every engine test checks the lock")
                .isTrue();
        assertThatThrownBy(slot::launchRequested)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("without the view lock");
        synchronized (view) {
            slot.launchRequested();
        }
        assertThat(slot.createInFlight()).isTrue();
    }

    private static Server server(long id, ServerStatus status) {
        return new Server(id, "workers-abc", status, T0, "cx22", "fsn1", 1L, Map.of(), null, null);
    }
}
