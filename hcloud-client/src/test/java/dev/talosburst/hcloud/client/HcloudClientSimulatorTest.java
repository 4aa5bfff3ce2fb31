package dev.talosburst.hcloud.client;

import static dev.talosburst.hcloud.client.SimulatedProject.ours;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.talosburst.hcloudsim.RecordedRequest;
import dev.talosburst.hcloudsim.SimulatedFirewallRule;
import dev.talosburst.provisioner.cloud.Action;
import dev.talosburst.provisioner.cloud.CallGuard;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.CloudApiException.Kind;
import dev.talosburst.provisioner.cloud.CreatedServer;
import dev.talosburst.provisioner.cloud.Firewall;
import dev.talosburst.provisioner.cloud.Image;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerStatus;
import dev.talosburst.provisioner.cloud.ServerType;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HcloudClient against the real simulator over HTTP on 127.0.0.1. */
class HcloudClientSimulatorTest {

    @Test
    void lists_120_servers_across_three_pages_of_50() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            HcloudClient client = project.client();
            for (int i = 0; i < 120; i++) {
                client.createServer(project.spec("page-" + i, ours("a")));
            }
            project.sim.inspect().resetRequestLog();

            List<Server> all = client.servers(ServerQuery.byLabels(SimulatedProject.POOL_LABEL + "=a"));

            assertThat(all).hasSize(120);
            assertThat(all).extracting(Server::name).doesNotHaveDuplicates();
            List<RecordedRequest> requests = project.sim.inspect().requests();
            assertThat(requests)
                    .extracting(RecordedRequest::query)
                    .allSatisfy(q -> assertThat(q).contains("per_page=50"))
                    .anySatisfy(q -> assertThat(q).contains("page=1"))
                    .anySatisfy(q -> assertThat(q).contains("page=2"))
                    .anySatisfy(q -> assertThat(q).contains("page=3"));
            assertThat(requests).hasSize(3);
        }
    }

    @Test
    void label_selectors_filter_on_the_server_side() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            HcloudClient client = project.client();
            client.createServer(project.spec("a-1", ours("a")));
            client.createServer(project.spec("a-2", ours("a")));
            client.createServer(project.spec("b-1", ours("b")));
            client.createServer(project.spec("foreign", Map.of("team", "web")));

            assertThat(client.servers(ServerQuery.byLabels(SimulatedProject.POOL_LABEL + "=a")))
                    .extracting(Server::name)
                    .containsExactlyInAnyOrder("a-1", "a-2");
            assertThat(client.servers(
                            ServerQuery.byLabels(SimulatedProject.POOL_LABEL + " in (a,b),managed-by=talos-burst")))
                    .extracting(Server::name)
                    .containsExactlyInAnyOrder("a-1", "a-2", "b-1");
            assertThat(client.servers(ServerQuery.byLabels("!" + SimulatedProject.POOL_LABEL)))
                    .extracting(Server::name)
                    .containsExactly("foreign");
            assertThat(client.servers(ServerQuery.byName("b-1")))
                    .extracting(Server::name)
                    .containsExactly("b-1");
            assertThat(project.sim.inspect().requests())
                    .extracting(RecordedRequest::query)
                    .anySatisfy(q -> assertThat(q).contains("label_selector=talos-burst.dev%2Fpool%3Da"));
        }
    }

    @Test
    void create_then_poll_actions_until_the_server_runs() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client();
            CreatedServer created = client.createServer(project.spec("poll-1", ours("a")));

            assertThat(created.adopted()).isFalse();
            assertThat(created.server().status()).isEqualTo(ServerStatus.INITIALIZING);
            assertThat(created.server().labels()).containsAllEntriesOf(ours("a"));
            assertThat(created.action().command()).isEqualTo("create_server");
            assertThat(created.action().serverIds())
                    .containsExactly(created.server().id());
            assertThat(created.nextActions()).extracting(Action::command).containsExactly("start_server");
            assertThat(project.sim.inspect().userData(created.server().id()))
                    .contains(project.spec("x", Map.of()).userData());
            assertThat(project.sim
                            .inspect()
                            .server(created.server().id())
                            .orElseThrow()
                            .imageId())
                    .isEqualTo(Long.parseLong(project.image));

            int polls = 0;
            while (client.server(created.server().id()).orElseThrow().status() != ServerStatus.RUNNING) {
                project.clock.advance(Duration.ofSeconds(1));
                assertThat(++polls)
                        .as("the server runs within a minute of virtual time")
                        .isLessThan(60);
            }
            assertThat(client.server(created.server().id()))
                    .get()
                    .extracting(Server::status)
                    .isEqualTo(ServerStatus.RUNNING);
        }
    }

    @Test
    void delete_returns_the_action_and_a_second_delete_finds_nothing() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            HcloudClient client = project.client();
            long id = client.createServer(project.spec("del-1", ours("a")))
                    .server()
                    .id();

            assertThat(client.deleteServer(id))
                    .get()
                    .extracting(Action::command)
                    .isEqualTo("delete_server");
            project.clock.advance(Duration.ofSeconds(5));
            assertThat(client.server(id)).isEmpty();
            assertThat(client.deleteServer(id)).isEmpty();
            assertThat(project.sim.inspect().servers()).isEmpty();
        }
    }

    @Test
    void a_repeated_create_adopts_the_existing_server_with_our_labels() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            HcloudClient client = project.client();
            CreatedServer first = client.createServer(project.spec("adopt-1", ours("a")));

            CreatedServer second = client.createServer(project.spec("adopt-1", ours("a")));

            assertThat(second.adopted()).isTrue();
            assertThat(second.action()).isNull();
            assertThat(second.nextActions()).isEmpty();
            assertThat(second.server().id()).isEqualTo(first.server().id());
            assertThat(project.sim.inspect().servers()).hasSize(1);
        }
    }

    @Test
    void a_server_of_that_name_being_deleted_is_not_adopted_but_the_create_works_once_it_is_gone() {
        try (SimulatedProject project = new SimulatedProject(
                b -> b.initializing(Duration.ZERO).starting(Duration.ZERO).deleting(Duration.ofSeconds(10)))) {
            HcloudClient client = project.client();
            long first = client.createServer(project.spec("reborn", ours("a")))
                    .server()
                    .id();
            client.deleteServer(first);

            assertThatThrownBy(() -> client.createServer(project.spec("reborn", ours("a"))))
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.RETRYABLE);
                        assertThat(e.getMessage()).contains("being deleted");
                    });

            project.clock.advance(Duration.ofSeconds(11));
            CreatedServer second = client.createServer(project.spec("reborn", ours("a")));
            assertThat(second.adopted()).isFalse();
            assertThat(second.server().id()).isNotEqualTo(first);
        }
    }

    @Test
    void refuses_to_adopt_a_server_without_our_labels() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            HcloudClient client = project.client();
            long foreign = client.createServer(project.spec("taken", Map.of(SimulatedProject.POOL_LABEL, "other")))
                    .server()
                    .id();

            assertThatThrownBy(() -> client.createServer(project.spec("taken", ours("a"))))
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.ALREADY_EXISTS);
                        assertThat(e.code()).isEqualTo("uniqueness_error");
                        assertThat(e.httpStatus()).isEqualTo(409);
                        assertThat(e.getMessage())
                                .contains("taken", Long.toString(foreign), SimulatedProject.POOL_LABEL);
                    });
            assertThat(project.sim.inspect().servers()).hasSize(1);
        }
    }

    @Test
    void a_lost_create_response_followed_by_the_retry_yields_exactly_one_server() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            HcloudClient client = project.client();
            project.sim.faults().loseResponses("POST", "/servers", 1);

            CreatedServer created = client.createServer(project.spec("lost-1", ours("a")));

            assertThat(created.adopted()).isTrue();
            assertThat(project.sim.inspect().servers())
                    .hasSize(1)
                    .allSatisfy(s -> assertThat(s.name()).isEqualTo("lost-1"));
            assertThat(created.server().id())
                    .isEqualTo(project.sim.inspect().servers().get(0).id());
            assertThat(project.sim.inspect().requestCount("POST", "/servers")).isEqualTo(2);
            assertThat(project.sleeps).as("the retry backed off").isNotEmpty();
        }
    }

    @Test
    void a_429_makes_the_client_wait_virtually_then_succeed() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client();
            project.sim
                    .faults()
                    .failNext(
                            "GET",
                            "/servers",
                            1,
                            429,
                            "rate_limit_exceeded",
                            "limit of 3600 requests per hour reached");

            assertThat(client.servers(ServerQuery.byLabels("x=y"))).isEmpty();

            assertThat(project.sim.inspect().requestCount("GET", "/servers")).isEqualTo(2);
            assertThat(project.totalSlept()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(project.sim.inspect().requests())
                    .extracting(RecordedRequest::status)
                    .containsExactly(429, 200);
        }
    }

    @Test
    void the_share_of_the_project_budget_spent_in_the_last_hour_is_exported() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client(s -> s.withBudgetCapacity(3600));
            java.util.function.DoubleSupplier used =
                    () -> project.meters.get(HcloudMetrics.BUDGET_USED).gauge().value();
            assertThat(used.getAsDouble()).isZero();

            for (int i = 0; i < 36; i++) {
                client.servers(ServerQuery.byLabels("x=y"));
            }
            assertThat(project.sim.inspect().requestCount("GET", "/servers")).isEqualTo(36);
            assertThat(used.getAsDouble()).as("36 of 3,600 an hour").isCloseTo(0.01, within(1e-9));

            project.clock.advance(Duration.ofMinutes(30));
            client.servers(ServerQuery.byLabels("x=y"));
            assertThat(used.getAsDouble()).as("still within the hour").isCloseTo(37 / 3600.0, within(1e-9));

            project.clock.advance(Duration.ofMinutes(31));
            assertThat(used.getAsDouble())
                    .as("the first 36 are older than an hour")
                    .isCloseTo(1 / 3600.0, within(1e-9));
        }
    }

    @Test
    void a_bucket_of_capacity_c_never_sends_more_than_c_requests_before_refill() {
        int capacity = 5;
        // The simulator enforces the same bucket: a single request too many would come back as 429.
        try (SimulatedProject project =
                new SimulatedProject(b -> b.instantTransitions().rateLimit(capacity, 1.0))) {
            HcloudClient client =
                    project.client(s -> s.withBudgetCapacity(capacity).withBudgetShare(1.0));
            List<Integer> sentBeforeEachWait = new ArrayList<>();
            project.beforeSleep =
                    d -> sentBeforeEachWait.add(project.sim.inspect().requestCount());

            for (int i = 0; i < 12; i++) {
                client.createServer(project.spec("bucket-" + i, ours("a")));
            }

            assertThat(sentBeforeEachWait).isNotEmpty();
            assertThat(sentBeforeEachWait.get(0))
                    .as("the first wait comes exactly when the bucket is empty")
                    .isEqualTo(capacity);
            assertThat(project.sim.inspect().requests())
                    .extracting(RecordedRequest::status)
                    .doesNotContain(429);
            assertThat(project.sim.inspect().servers()).hasSize(12);
            // The client refills like Hetzner, capacity per hour: 5/h is one request every 12 minutes after the first
            // 5.
            assertThat(sentBeforeEachWait).containsExactly(5, 6, 7, 8, 9, 10, 11);
            assertThat(project.totalSlept()).isEqualTo(Duration.ofMinutes(12).multipliedBy(12 - capacity));
        }
    }

    @Test
    void concurrent_creates_share_the_bucket_and_never_overdraw_it() throws Exception {
        int capacity = 5;
        try (SimulatedProject project =
                new SimulatedProject(b -> b.instantTransitions().rateLimit(capacity, 1.0))) {
            HcloudClient client =
                    project.client(s -> s.withBudgetCapacity(capacity).withBudgetShare(1.0));
            List<Integer> sentBeforeEachWait = java.util.Collections.synchronizedList(new ArrayList<>());
            project.beforeSleep =
                    d -> sentBeforeEachWait.add(project.sim.inspect().requestCount());
            var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                List<java.util.concurrent.Future<CreatedServer>> futures = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    String name = "parallel-" + i;
                    futures.add(pool.submit(() -> client.createServer(project.spec(name, ours("a")))));
                }
                for (var f : futures) {
                    assertThat(f.get(30, java.util.concurrent.TimeUnit.SECONDS).adopted())
                            .isFalse();
                }
            } finally {
                pool.shutdownNow();
            }

            assertThat(sentBeforeEachWait)
                    .isNotEmpty()
                    .first()
                    .satisfies(n -> assertThat(n).isLessThanOrEqualTo(capacity));
            assertThat(project.sim.inspect().requests())
                    .hasSize(16)
                    .extracting(RecordedRequest::status)
                    .containsOnly(201);
            assertThat(project.sim.inspect().servers()).hasSize(16);
        }
    }

    @Test
    void five_consecutive_503s_open_the_breaker_which_fails_fast_then_half_opens_and_closes() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client(s -> s.withRetries(0, Duration.ofSeconds(1), Duration.ofSeconds(60)));
            project.sim.faults().failNext("GET", "/servers", 5, 503, "unavailable", "service unavailable");

            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> client.servers(ServerQuery.byLabels("x=y")))
                        .asInstanceOf(type(CloudApiException.class))
                        .extracting(CloudApiException::code)
                        .isEqualTo("unavailable");
            }
            assertThat(client.breakerState(EndpointFamily.SERVERS)).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(client.serversGuard())
                    .as("what the readiness check reads through the port")
                    .isEqualTo(new CallGuard("OPEN", true));
            int sent = project.sim.inspect().requestCount();

            assertThatThrownBy(() -> client.server(1))
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.RETRYABLE);
                        assertThat(e.code()).isEqualTo("circuit_open");
                        assertThat(e.getMessage()).contains("hcloud-servers");
                    });
            assertThat(project.sim.inspect().requestCount())
                    .as("an open breaker sends nothing")
                    .isEqualTo(sent);
            assertThat(client.locations())
                    .as("other endpoint families keep working")
                    .isNotEmpty();

            project.clock.advance(Duration.ofSeconds(31));
            assertThat(client.servers(ServerQuery.byLabels("x=y"))).isEmpty();
            assertThat(client.breakerState(EndpointFamily.SERVERS)).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(client.serversGuard()).isEqualTo(new CallGuard("CLOSED", false));
            assertThat(project.meters
                            .get("resilience4j.circuitbreaker.state")
                            .tag("name", "hcloud-servers")
                            .tag("state", "closed")
                            .gauge()
                            .value())
                    .isEqualTo(1.0);
        }
    }

    @Test
    void transient_503s_are_retried_with_growing_backoff() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client();
            project.sim.faults().failNext("GET", "/locations", 3, 503, "unavailable", "service unavailable");

            assertThat(client.locations()).isNotEmpty();

            assertThat(project.sim.inspect().requestCount("GET", "/locations")).isEqualTo(4);
            assertThat(project.sleeps).hasSize(3);
            assertThat(project.sleeps.get(0)).isEqualTo(Duration.ofSeconds(1));
            assertThat(project.sleeps.get(1)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
            assertThat(project.sleeps.get(2)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(4));
            assertThat(project.meters
                            .get("resilience4j.retry.calls")
                            .tags("name", "hcloud-catalogue", "kind", "successful_with_retry")
                            .functionCounter()
                            .count())
                    .isEqualTo(1.0);
        }
    }

    @Test
    void the_bulkhead_bounds_concurrent_requests_and_a_full_one_fails_retryable_without_sending() throws Exception {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client(s -> s.withBulkhead(1, Duration.ZERO));
            project.sim.faults().latency(Duration.ofMillis(700));
            var slow = java.util.concurrent.CompletableFuture.supplyAsync(client::locations);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> project.sim.inspect().requestCount() == 0
                            && project.meters
                                            .get("resilience4j.bulkhead.available.concurrent.calls")
                                            .gauge()
                                            .value()
                                    == 0.0);

            assertThatThrownBy(client::serverTypes)
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.RETRYABLE);
                        assertThat(e.code()).isEqualTo("bulkhead_full");
                    });
            assertThat(slow.get(5, java.util.concurrent.TimeUnit.SECONDS)).isNotEmpty();
            project.sim.faults().clear();
            assertThat(project.sim.inspect().requestCount())
                    .as("the refused call sent nothing")
                    .isEqualTo(1);
            assertThat(client.breakerState(EndpointFamily.CATALOGUE)).isEqualTo(CircuitBreaker.State.CLOSED);
        }
    }

    @Test
    void a_caller_interrupted_while_waiting_for_the_bulkhead_gets_a_retryable_interrupted_failure() throws Exception {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client(s -> s.withBulkhead(1, Duration.ofSeconds(30)));
            project.sim.faults().latency(Duration.ofMillis(1500));
            var slow = java.util.concurrent.CompletableFuture.supplyAsync(client::locations);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> project.meters
                                    .get("resilience4j.bulkhead.available.concurrent.calls")
                                    .gauge()
                                    .value()
                            == 0.0);
            var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
            Thread waiting = new Thread(() -> {
                try {
                    client.serverTypes();
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            waiting.start();
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> waiting.getState() == Thread.State.TIMED_WAITING);
            waiting.interrupt(); // as a shutdown interrupts a create worker
            waiting.join(5_000);

            assertThat(failure.get())
                    .as("a shutdown, not a bug: retryable, classified, nothing sent")
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.RETRYABLE);
                        assertThat(e.code()).isEqualTo("interrupted");
                    });
            assertThat(slow.get(5, java.util.concurrent.TimeUnit.SECONDS)).isNotEmpty();
            project.sim.faults().clear();
            assertThat(project.sim.inspect().requestCount("GET", "/server_types"))
                    .isZero();
        }
    }

    @Test
    void stock_out_and_quota_are_out_of_resources_and_not_retried() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            HcloudClient client = project.client();
            project.sim.faults().stockOut(project.serverType, project.location);

            assertThatThrownBy(() -> client.createServer(project.spec("stock-1", ours("a"))))
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.OUT_OF_RESOURCES);
                        assertThat(e.code()).isEqualTo("resource_unavailable");
                        assertThat(e.httpStatus()).isEqualTo(412);
                        assertThat(e.correlationId()).isNotBlank();
                        assertThat(e.getMessage()).contains(e.correlationId());
                    });
            ServerType type = client.serverTypes().stream()
                    .filter(t -> t.name().equals(project.serverType))
                    .findFirst()
                    .orElseThrow();
            assertThat(type.locations())
                    .filteredOn(l -> l.location().equals(project.location))
                    .singleElement()
                    .extracting(ServerType.Availability::available)
                    .isEqualTo(false);

            project.sim.faults().clear().serverQuota(0);
            assertThatThrownBy(() -> client.createServer(project.spec("quota-1", ours("a"))))
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.OUT_OF_RESOURCES);
                        assertThat(e.code()).isEqualTo("resource_limit_exceeded");
                        assertThat(e.httpStatus()).isEqualTo(403);
                    });
            assertThat(project.sim.inspect().requestCount("POST", "/servers")).isEqualTo(2);
            assertThat(project.sleeps).isEmpty();
        }
    }

    @Test
    void a_network_timeout_is_retryable() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client(s -> s.withRequestTimeout(Duration.ofMillis(300))
                    .withRetries(0, Duration.ofSeconds(1), Duration.ofSeconds(60)));
            project.sim.faults().latency(Duration.ofMillis(1500));

            assertThatThrownBy(client::locations)
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.RETRYABLE);
                        assertThat(e.code()).isEqualTo("network_error");
                        assertThat(e.httpStatus()).isZero();
                        assertThat(e.getMessage()).contains("timed out");
                    });
            project.sim.faults().clear();
        }
    }

    @Test
    void a_wrong_token_is_fatal_and_not_retried() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = new HcloudClient(
                    project.settings(s -> s.withToken(ApiToken.of("wrong-token"))),
                    project.meters,
                    project.clock,
                    project.sleeper());

            assertThatThrownBy(client::locations)
                    .asInstanceOf(type(CloudApiException.class))
                    .satisfies(e -> {
                        assertThat(e.kind()).isEqualTo(Kind.FATAL);
                        assertThat(e.code()).isEqualTo("unauthorized");
                        assertThat(e.httpStatus()).isEqualTo(401);
                    });
            assertThat(project.sim.inspect().requestCount()).isEqualTo(1);
        }
    }

    @Test
    void talos_snapshots_come_newest_first_for_the_asked_architecture() {
        try (SimulatedProject project = new SimulatedProject()) {
            var catalogue = project.sim.catalogue();
            var now = project.clock.instant();
            long older = catalogue
                    .addSnapshot(
                            "talos v1.11.4",
                            "x86",
                            now.minus(Duration.ofDays(30)),
                            Map.of("os", "talos", "suite", "newest", "arch", "amd64"))
                    .id();
            long newest = catalogue
                    .addSnapshot(
                            "talos v1.11.6",
                            "x86",
                            now.minus(Duration.ofHours(1)),
                            Map.of("os", "talos", "suite", "newest", "arch", "amd64"))
                    .id();
            long arm = catalogue
                    .addSnapshot(
                            "talos v1.11.6 arm", "arm", now, Map.of("os", "talos", "suite", "newest", "arch", "arm64"))
                    .id();
            catalogue.addSnapshot("not talos", "x86", now, Map.of("os", "flatcar", "suite", "newest"));
            HcloudClient client = project.client();

            List<Image> x86 = client.images(ImageQuery.snapshots("os=talos,suite=newest", "x86"));

            assertThat(x86).extracting(Image::id).containsExactly(newest, older);
            assertThat(x86).extracting(Image::created).isSortedAccordingTo((a, b) -> b.compareTo(a));
            assertThat(x86).allSatisfy(i -> {
                assertThat(i.type()).isEqualTo("snapshot");
                assertThat(i.architecture()).isEqualTo("x86");
                assertThat(i.labels()).containsEntry("os", "talos");
            });
            assertThat(client.images(ImageQuery.snapshots("os=talos,suite=newest", "arm")))
                    .extracting(Image::id)
                    .containsExactly(arm);
            assertThat(project.sim.inspect().requests())
                    .extracting(RecordedRequest::query)
                    .allSatisfy(q -> assertThat(q).contains("sort=created%3Adesc"));
        }
    }

    @Test
    void catalogue_server_types_carry_prices_and_availability_and_locations_are_listed() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client();

            List<ServerType> types = client.serverTypes();

            assertThat(types).hasSize(project.sim.catalogue().serverTypes().size());
            ServerType type = types.stream()
                    .filter(t -> t.name().equals(project.serverType))
                    .findFirst()
                    .orElseThrow();
            assertThat(type.priceIn(project.location)).get().satisfies(p -> {
                assertThat(p.hourlyNet()).isPositive();
                assertThat(p.hourlyGross()).isGreaterThan(p.hourlyNet());
            });
            assertThat(type.locations())
                    .filteredOn(l -> l.location().equals(project.location))
                    .singleElement()
                    .extracting(ServerType.Availability::available)
                    .isEqualTo(true);
            assertThat(client.locations()).extracting(l -> l.name()).contains(project.location);
        }
    }

    @Test
    void finds_firewalls_networks_and_placement_groups() {
        try (SimulatedProject project = new SimulatedProject()) {
            HcloudClient client = project.client();
            project.sim.catalogue().addNetwork("burst", "10.0.0.0/16", "eu-central", Map.of("cluster", "c1"));
            project.sim.catalogue().addPlacementGroup("spread-a", Map.of("cluster", "c1"));

            long createdId = project.sim
                    .catalogue()
                    .addFirewall(
                            "talos-workers",
                            Map.of("cluster", "c1"),
                            List.of(new SimulatedFirewallRule(
                                    "in", "udp", "51820", List.of("0.0.0.0/0", "::/0"), List.of(), "KubeSpan")))
                    .id();
            Firewall created = client.firewalls("talos-workers", null).get(0);

            assertThat(created.rules()).singleElement().satisfies(r -> {
                assertThat(r.direction()).isEqualTo("in");
                assertThat(r.protocol()).isEqualTo("udp");
                assertThat(r.port()).isEqualTo("51820");
                assertThat(r.sourceIps()).containsExactlyInAnyOrder("0.0.0.0/0", "::/0");
            });
            assertThat(client.firewalls("talos-workers", null))
                    .extracting(Firewall::id)
                    .containsExactly(createdId);
            assertThat(client.firewalls(null, "cluster=c1"))
                    .extracting(Firewall::name)
                    .contains("talos-workers");
            assertThat(client.networks(null, "cluster=c1")).singleElement().satisfies(n -> {
                assertThat(n.name()).isEqualTo("burst");
                assertThat(n.ipRange()).isEqualTo("10.0.0.0/16");
            });
            assertThat(client.placementGroups("spread-a", null))
                    .singleElement()
                    .satisfies(g -> assertThat(g.type()).isEqualTo("spread"));
        }
    }

    @Test
    void metrics_use_templated_endpoints_and_count_statuses() {
        try (SimulatedProject project = new SimulatedProject(b -> b.instantTransitions())) {
            // the whole budget, so the client's bucket mirrors Hetzner's count exactly
            HcloudClient client = project.client(s -> s.withBudgetShare(1.0));
            long id = client.createServer(project.spec("metrics-1", ours("a")))
                    .server()
                    .id();
            client.server(id);
            client.server(id + 1000);

            assertThat(project.meters
                            .get(HcloudMetrics.REQUESTS)
                            .tags("endpoint", "/servers/{id}", "method", "GET", "status", "200")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(project.meters
                            .get(HcloudMetrics.REQUESTS)
                            .tags("endpoint", "/servers/{id}", "method", "GET", "status", "404")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(project.meters
                            .get(HcloudMetrics.REQUESTS)
                            .tags("endpoint", "/servers", "method", "POST", "status", "201")
                            .counter()
                            .count())
                    .isEqualTo(1.0);
            assertThat(project.meters
                            .get(HcloudMetrics.DURATION)
                            .tags("endpoint", "/servers/{id}")
                            .timers())
                    .isNotEmpty();
            assertThat(project.meters.getMeters())
                    .allSatisfy(m -> m.getId()
                            .getTags()
                            .forEach(t -> assertThat(t.getValue())
                                    .doesNotContain(Long.toString(id))
                                    .doesNotContain("metrics-1")));
            double remaining = project.meters
                    .get(HcloudMetrics.RATELIMIT_REMAINING)
                    .gauge()
                    .value();
            assertThat(remaining).isEqualTo(project.sim.inspect().rateLimitRemaining());
        }
    }
}
