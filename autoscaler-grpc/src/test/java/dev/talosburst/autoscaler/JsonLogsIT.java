package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's JSON logging option on the packaged jar: with {@code quarkus.log.console.json.enabled=true} every console
 * line is one JSON object, and the engine's per-server lines carry pool, server and action as MDC fields.
 */
class JsonLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PackagedApp app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void serverLinesCarryPoolServerAndActionFields() throws Exception {
        int grpcPort = PackagedApp.freePort();
        app = PackagedApp.named("json-logs")
                .systemProperty("quarkus.profile", "demo")
                .systemProperty("talosburst.grpc.port", grpcPort)
                .systemProperty("talosburst.management.port", PackagedApp.freePort())
                .systemProperty("quarkus.kubernetes-client.api-server-url", "https://127.0.0.1:6443")
                .systemProperty("quarkus.log.console.json.enabled", "true")
                .start();
        ManagedChannel channel = app.plaintextChannel(grpcPort);
        CloudProviderGrpc.CloudProviderBlockingStub ca = CloudProviderGrpc.newBlockingStub(channel);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(app.isAlive())
                            .as("application still running; see " + app.log())
                            .isTrue();
                    return ca.withDeadlineAfter(5, TimeUnit.SECONDS)
                                    .nodeGroups(NodeGroupsRequest.getDefaultInstance())
                                    .getNodeGroupsCount()
                            > 0;
                });

        ca.withDeadlineAfter(5, TimeUnit.SECONDS)
                .nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                        .setId("cx22-fsn1")
                        .setDelta(1)
                        .build());

        JsonNode created = await().atMost(Duration.ofSeconds(30))
                .until(this::createdLine, Optional::isPresent)
                .orElseThrow();
        assertThat(created.path("level").asText()).isEqualTo("INFO");
        JsonNode mdc = created.path("mdc");
        assertThat(mdc.path("pool").asText()).isEqualTo("cx22-fsn1");
        assertThat(mdc.path("action").asText()).isEqualTo("create");
        assertThat(mdc.path("server").asText()).startsWith("cx22-fsn1-");
        assertThat(created.path("message").asText())
                .contains("server " + mdc.path("server").asText());
        assertThat(app.output().lines().filter(l -> !l.isBlank()))
                .allSatisfy(l -> assertThat(l).startsWith("{"));
    }

    private Optional<JsonNode> createdLine() {
        return app.output()
                .lines()
                .filter(l -> l.startsWith("{") && l.contains("created for pool cx22-fsn1"))
                .findFirst()
                .map(l -> {
                    try {
                        return JSON.readTree(l);
                    } catch (Exception e) {
                        throw new IllegalStateException(l, e);
                    }
                });
    }
}
