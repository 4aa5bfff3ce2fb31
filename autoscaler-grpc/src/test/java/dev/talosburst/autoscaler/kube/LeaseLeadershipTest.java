package dev.talosburst.autoscaler.kube;

import static dev.talosburst.autoscaler.kube.ClusterFixture.POOL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.talosburst.provisioner.engine.NodeGroupEngine;
import dev.talosburst.provisioner.nodegroup.NodeGroupException;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas (each its own API client, Node informer and engine) contend for one Lease on the mock API server and
 * share one simulated Hetzner project: exactly one acts; the other takes over when the first stops or dies.
 */
@EnableKubernetesMockClient(crud = true)
class LeaseLeadershipTest {
    static KubernetesMockServer server;
    static KubernetesClient client;

    private static final String NAMESPACE = "talos-burst";
    private static final String LEASE = "talos-burst-leader";

    private ClusterFixture fx;
    private final AtomicBoolean sampling = new AtomicBoolean(true);
    private final AtomicInteger bothActing = new AtomicInteger();
    private Thread sampler;

    /** One talos-burst process. */
    private final class Replica {
        final String identity;
        final KubernetesClient api = server.createClient();
        final KubernetesNodeDirectory nodes = fx.directory(api);
        final NodeGroupEngine engine = fx.engine(nodes);
        final LeaseLeadership leadership;

        Replica(String identity) {
            this.identity = identity;
            // 3 s lease, 1.5 s renew deadline: a leader that cannot renew stops acting 1.5 s before anyone may take
            // over
            LeaseTerms terms = new LeaseTerms(
                    NAMESPACE, LEASE, identity, Duration.ofSeconds(3), Duration.ofMillis(1500), Duration.ofMillis(250));
            engine.startAsFollower();
            leadership = new LeaseLeadership(api, terms, nodes::hasSynced, LeaseLeadership.Role.of(engine));
            fx.closeLater(api);
            fx.closeLater(leadership);
            leadership.start();
        }
    }

    @BeforeEach
    void start() {
        client.leases().inNamespace(NAMESPACE).delete();
        fx = new ClusterFixture();
    }

    @AfterEach
    void stop() throws InterruptedException {
        sampling.set(false);
        if (sampler != null) {
            sampler.join(2000);
        }
        fx.close();
    }

    /** Watches, every few milliseconds, that never two replicas act at once. */
    private void sample(List<Replica> replicas) {
        sampler = new Thread(
                () -> {
                    while (sampling.get()) {
                        if (replicas.stream().filter(r -> r.engine.isLeader()).count() > 1) {
                            bothActing.incrementAndGet();
                        }
                        try {
                            Thread.sleep(5);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "leader-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private static Replica awaitLeader(List<Replica> replicas, Duration within) {
        await().atMost(within)
                .until(() -> replicas.stream().filter(r -> r.engine.isLeader()).count() == 1);
        return replicas.stream().filter(r -> r.engine.isLeader()).findFirst().orElseThrow();
    }

    /** Two replicas of one Lease, after one of them won it. */
    private record Contenders(Replica leader, Replica follower) {}

    private Contenders contend() {
        Replica a = new Replica("replica-a");
        Replica b = new Replica("replica-b");
        List<Replica> both = List.of(a, b);
        sample(both);
        Replica leader = awaitLeader(both, Duration.ofSeconds(10));
        return new Contenders(leader, leader == a ? b : a);
    }

    private String holder() {
        Lease lease = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
        return lease == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void exactlyOneReplicaActsAndTheOtherTakesOverWhenItStops() {
        Contenders two = contend();
        Replica leader = two.leader();
        Replica follower = two.follower();
        assertThat(holder()).isEqualTo(leader.identity);
        assertThat(follower.leadership.isActing()).isFalse();
        leader.engine.increaseSize(POOL, 2);
        assertThatThrownBy(() -> follower.engine.increaseSize(POOL, 1))
                .isInstanceOfSatisfying(
                        NodeGroupException.class,
                        e -> assertThat(e.reason()).isEqualTo(NodeGroupException.Reason.NOT_LEADER));
        fx.awaitServers(2);
        // the follower keeps its view warm and answers reads from it
        fx.clock.advance(Duration.ofMinutes(2));
        follower.engine.tick();
        assertThat(follower.engine.targetSize(POOL)).isEqualTo(2);

        leader.leadership.close(); // stops acting, then releases the lease
        leader.engine.close();

        // released: no need to wait for the lease to expire
        await().atMost(Duration.ofSeconds(3)).until(follower.engine::isLeader);
        assertThat(holder()).isEqualTo(follower.identity);
        assertThat(follower.engine.targetSize(POOL)).isEqualTo(2);
        follower.engine.increaseSize(POOL, 1);
        fx.awaitServers(3);
        assertThat(fx.servers()).hasSize(follower.engine.targetSize(POOL));
        assertThat(bothActing.get()).isZero();
    }

    @Test
    void whenTheLeaderDiesTheFollowerTakesOverWithinTheLeaseDurationWithoutDuplicates() {
        Contenders two = contend();
        Replica leader = two.leader();
        Replica follower = two.follower();
        leader.engine.increaseSize(POOL, 2);
        fx.awaitServers(2);

        // the leader loses the API server (a partition, or a hung process): it can neither renew nor release
        long cutAt = System.nanoTime();
        leader.api.close();

        // it stops acting by itself once the renew deadline passes ...
        await().atMost(Duration.ofSeconds(4)).until(() -> !leader.engine.isLeader());
        // ... and the follower takes over once the lease has expired, after rebuilding its view from Hetzner
        await().atMost(Duration.ofSeconds(8)).until(follower.engine::isLeader);
        Duration takeover = Duration.ofNanos(System.nanoTime() - cutAt);
        assertThat(takeover).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(holder()).isEqualTo(follower.identity);
        assertThat(follower.engine.targetSize(POOL)).isEqualTo(2);

        follower.engine.increaseSize(POOL, 2);
        fx.awaitServers(4);
        fx.clock.advance(Duration.ofMinutes(2));
        follower.engine.tick();
        assertThat(fx.servers()).hasSize(4);
        assertThat(follower.engine.targetSize(POOL)).isEqualTo(4);
        assertThat(bothActing.get()).isZero();
    }

    @Test
    void aReplicaWhoseNodeCacheNeverSyncsNeverTakesTheLeaseAndStaysAlive() {
        AtomicInteger promotions = new AtomicInteger();
        LeaseLeadership blind = new LeaseLeadership(
                server.createClient(),
                new LeaseTerms(
                        NAMESPACE,
                        LEASE,
                        "blind",
                        Duration.ofSeconds(3),
                        Duration.ofMillis(1500),
                        Duration.ofMillis(250)),
                () -> false,
                new LeaseLeadership.Role() {
                    @Override
                    public void promote() {
                        promotions.incrementAndGet();
                    }

                    @Override
                    public void demote() {}
                });
        fx.closeLater(blind);
        blind.start();
        Replica healthy = new Replica("healthy");

        await().atMost(Duration.ofSeconds(10)).until(healthy.engine::isLeader);
        assertThat(holder()).isEqualTo("healthy");
        assertThat(blind.holdsLease()).isFalse();
        assertThat(blind.isContending()).isTrue(); // waiting is not a reason to be restarted
        assertThat(promotions.get()).isZero();
        blind.close();
        assertThat(blind.isContending()).isFalse();
    }
}
