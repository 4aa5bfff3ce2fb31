package dev.talosburst.provisioner.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.talosburst.hcloud.client.ApiToken;
import dev.talosburst.hcloud.client.HcloudClient;
import dev.talosburst.hcloudsim.HcloudSimulator;
import dev.talosburst.hcloudsim.SimulatorOptions;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.testing.CapturedLog;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's start-up against Hetzner (real client, simulator, virtual clock): pools are checked against the catalogue
 * before anything is listed or created; a refused token and an unreachable API are said once, clearly, and retried with
 * back-off instead of every second.
 */
class StartupCheckTest {
    private final EngineFixture fx = new EngineFixture();
    private final CapturedLog log = CapturedLog.of("dev.talosburst.provisioner");
    private HcloudSimulator late;

    @AfterEach
    void close() {
        log.close();
        fx.close();
        if (late != null) {
            late.close();
        }
    }

    private static NodePool pool(
            String id,
            String type,
            String location,
            ImageSelector image,
            List<String> firewalls,
            List<String> networks,
            String placementGroup) {
        return new NodePool(
                id,
                type,
                location,
                null,
                0,
                3,
                image,
                Map.of(),
                List.of(),
                Map.of(),
                firewalls,
                networks,
                placementGroup,
                true,
                true,
                AutoscalingOverrides.none(),
                List.of(),
                Duration.ofMinutes(15));
    }

    @Test
    void everyPoolThatDoesNotFitTheCatalogueIsReportedAtOnceNamingItsKey() {
        fx.sim.catalogue().addFirewall("kubespan", Map.of(), List.of());
        NodeGroupEngine engine = fx.engine(
                pool("typo", "cx22", "fsn2", ImageSelector.talos(null), List.of(), List.of(), null),
                pool("unknown-type", "cx99", "fsn1", ImageSelector.talos(null), List.of(), List.of(), null),
                pool("arm-us", "cax11", "ash", ImageSelector.talos(null), List.of(), List.of(), null),
                pool("no-snapshot", "cx22", "nbg1", ImageSelector.talos("v1.99.0"), List.of(), List.of(), null),
                pool(
                        "objects",
                        "cx22",
                        "hel1",
                        ImageSelector.talos(null),
                        List.of("kubespan", "kubespan-typo"),
                        List.of("private"),
                        "spread"),
                pool("gone-image", "cx22", "fsn1", new ImageSelector(999L, null), List.of(), List.of(), null),
                // 300000004: the simulator's Talos v1.11.6 snapshot for arm64
                pool("wrong-arch", "cx22", "fsn1", new ImageSelector(300000004L, null), List.of(), List.of(), null),
                pool("right-id", "cax11", "fsn1", new ImageSelector(300000004L, null), List.of(), List.of(), null));
        engine.start();

        HetznerStatus status = engine.hetznerStatus();
        assertThat(status.state()).isEqualTo(HetznerStatus.State.CONFIGURATION_INVALID);
        assertThat(status.startupProblems())
                .containsExactlyInAnyOrder(
                        "talosburst.pools.typo.location: Hetzner has no location 'fsn2'; use one of ash, fsn1, hel1, hil, nbg1, sin",
                        "talosburst.pools.unknown-type.server-type: Hetzner has no server type 'cx99'; use one of cax11, cax21, cax31, ccx13, "
                                + "ccx23, cpx11, cpx21, cpx31, cx22, cx32, cx42",
                        "talosburst.pools.arm-us.location: server type cax11 is not offered in ash; it is offered in fsn1, hel1, nbg1 "
                                + "(or choose another server-type)",
                        "talosburst.pools.no-snapshot.image: no available snapshot matches label selector 'os=talos,version=v1.99.0' for "
                                + "architecture x86 (server type cx22); build a Talos snapshot with those labels, or fix image.selector / "
                                + "image.talos-version / image.id",
                        "talosburst.pools.objects.firewalls: firewall 'kubespan-typo' does not exist in the Hetzner project; existing: "
                                + "kubespan; create it or fix the name",
                        "talosburst.pools.objects.networks: network 'private' does not exist in the Hetzner project; there is none, create "
                                + "it in the Hetzner console",
                        "talosburst.pools.objects.placement-group: placement group 'spread' does not exist in the Hetzner project; there "
                                + "is none, create it in the Hetzner console",
                        "talosburst.pools.gone-image.image.id: Hetzner has no image 999 visible to this project; use the id "
                                + "of a Talos snapshot in it (hcloud image list --type snapshot) or an image selector",
                        "talosburst.pools.wrong-arch.image.id: image 300000004 is built for arm but server type cx22 is x86; "
                                + "use a snapshot of that architecture or another server-type");
        // nothing acts on a configuration Hetzner proved wrong: no list of servers, no create, not leader, not ready
        assertThat(engine.isLeader()).isFalse();
        assertThat(engine.isSynced()).isFalse();
        assertThat(fx.sim.inspect().requestCount("GET", "/servers")).isZero();
        int requests = fx.sim.inspect().requestCount();
        for (int i = 0; i < 10; i++) {
            fx.clock.advance(Duration.ofMinutes(1));
            engine.tick();
        }
        assertThat(fx.sim.inspect().requestCount())
                .as("a wrong configuration is not retried")
                .isEqualTo(requests);
    }

    @Test
    void poolsThatFitStartAndActByNameOrId() {
        long firewall =
                fx.sim.catalogue().addFirewall("kubespan", Map.of(), List.of()).id();
        fx.sim.catalogue().addPlacementGroup("spread", Map.of());
        NodeGroupEngine engine = fx.engine(pool(
                "fits",
                "cax11",
                "fsn1",
                ImageSelector.talos("v1.11.6"),
                List.of("kubespan", Long.toString(firewall)),
                List.of(),
                "spread"));
        engine.start();

        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.READY);
        assertThat(engine.startupChecked()).isTrue();
        assertThat(engine.isLeader()).isTrue();
        engine.increaseSize("fits", 1);
        fx.awaitServers("fits", 1);
    }

    @Test
    void aWrongTokenAtStartUpIsAConfigurationErrorNamingTheOptionAndIsNotRetriedEverySecond() {
        String wrong = "wrong-token-0123456789abcdef0123456789abcdef0123456789abcdef0123";
        HcloudClient client = fx.clientWith(s -> s.withToken(ApiToken.of(wrong)));
        NodeGroupEngine engine =
                fx.engine(fx.settings(), client, EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 3));
        engine.start();

        HetznerStatus status = engine.hetznerStatus();
        assertThat(status.state()).isEqualTo(HetznerStatus.State.UNAUTHORIZED);
        assertThat(status.reason())
                .contains("talosburst.hcloud.token", "TALOSBURST_HCLOUD_TOKEN", "HTTP 401")
                .doesNotContain(wrong);
        assertThat(engine.startupChecked()).isFalse();

        // the ticker runs every second: ten minutes of it
        for (int i = 0; i < 600; i++) {
            fx.clock.advance(Duration.ofSeconds(1));
            try {
                engine.tick();
            } catch (RuntimeException expected) {
                // the application stops on it (a configuration error); the engine only must not hammer Hetzner
            }
        }
        assertThat(fx.sim.inspect().requestCount())
                .as("backed off to one attempt a minute, not 600")
                .isLessThan(20);
        assertThat(log.at(Level.WARNING)).as("no warning every second").isEmpty();
        assertThat(engine.isSynced()).isFalse();
    }

    @Test
    void aTokenRevokedWhileRunningIsOneErrorNamingTheOptionThenAtMostOneLineAMinute() {
        String revoked = "revoked-token-0123456789abcdef0123456789abcdef0123456789abcdef01";
        java.util.concurrent.atomic.AtomicReference<dev.talosburst.provisioner.cloud.CloudApi> current =
                new java.util.concurrent.atomic.AtomicReference<>(fx.client);
        dev.talosburst.provisioner.cloud.CloudApi switching =
                (dev.talosburst.provisioner.cloud.CloudApi) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(),
                        new Class<?>[] {dev.talosburst.provisioner.cloud.CloudApi.class},
                        (proxy, method, args) -> {
                            try {
                                return method.invoke(current.get(), args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        NodeGroupEngine engine =
                fx.engine(fx.settings(), switching, EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 3));
        engine.start();
        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.READY);

        current.set(fx.clientWith(s -> s.withToken(ApiToken.of(revoked))));
        for (int i = 0; i < 600; i++) {
            fx.clock.advance(Duration.ofSeconds(1));
            try {
                engine.tick();
            } catch (RuntimeException expected) {
                // said by HetznerAccess
            }
        }
        HetznerStatus status = engine.hetznerStatus();
        assertThat(status.state()).isEqualTo(HetznerStatus.State.UNAUTHORIZED);
        assertThat(status.reason())
                .contains("talosburst.hcloud.token", "TALOSBURST_HCLOUD_TOKEN")
                .doesNotContain(revoked);
        List<String> lines = new ArrayList<>(log.at(Level.SEVERE));
        assertThat(lines)
                .as("one error at once, then at most one a minute over ten minutes")
                .hasSizeBetween(2, 11)
                .allSatisfy(
                        l -> assertThat(l).contains("talosburst.hcloud.token").doesNotContain(revoked));
        assertThat(log.at(Level.WARNING)).as("no warning every second").hasSizeLessThan(5);
    }

    @Test
    void anUnreachableApiIsSaidAtOnceRetriedWithBackOffAndCheckedWhenItAnswers() throws IOException {
        int port = freePort();
        URI endpoint = URI.create("http://127.0.0.1:" + port + "/v1");
        HcloudClient client = fx.clientWith(s -> s.withEndpoint(endpoint));
        NodeGroupEngine engine =
                fx.engine(fx.settings(), client, EngineFixture.pool("cx22-fsn1", "cx22", "fsn1", 0, 3));
        engine.start();

        HetznerStatus status = engine.hetznerStatus();
        assertThat(status.state()).isEqualTo(HetznerStatus.State.UNREACHABLE);
        assertThat(status.reason()).contains(endpoint.toString(), "talosburst.hcloud.endpoint");
        assertThat(log.at(Level.WARNING))
                .as("said at once, naming the endpoint")
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).contains(endpoint.toString()));
        int warned = log.at(Level.WARNING).size();

        for (int i = 0; i < 300; i++) {
            fx.clock.advance(Duration.ofSeconds(1));
            try {
                engine.tick();
            } catch (RuntimeException expected) {
                // still down
            }
        }
        long retryLines = log.at(Level.WARNING).stream()
                .filter(l -> l.contains("retrying"))
                .count();
        assertThat(retryLines - warned)
                .as("five minutes down: about one line a minute, not one a second")
                .isBetween(3L, 12L);
        assertThat(engine.isSynced()).isFalse();

        // Hetzner answers: the pools are checked, the view is built, the engine acts
        late = HcloudSimulator.start(SimulatorOptions.builder()
                .clock(fx.clock)
                .token(fx.sim.token())
                .host("127.0.0.1")
                .port(port)
                .build());
        fx.clock.advance(Duration.ofMinutes(2));
        engine.tick();
        assertThat(engine.hetznerStatus().state()).isEqualTo(HetznerStatus.State.READY);
        assertThat(engine.startupChecked()).isTrue();
        assertThat(engine.isSynced()).isTrue();
        assertThat(engine.isLeader()).isTrue();
        assertThat(log.at(Level.INFO)).anySatisfy(l -> assertThat(l).contains("answers again"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
