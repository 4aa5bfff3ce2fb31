package dev.talosburst.events.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.talosburst.events.testing.CataloguePrices;
import dev.talosburst.events.testing.DataSchema;
import dev.talosburst.events.testing.EngineEvents;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NodeEventMapperTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    private final EngineEvents engine = EngineEvents.cx22Fsn1("pool-a");
    private final NodeEventMapper mapper = new NodeEventMapper(NodeEventMapper.DATA_SCHEMA_V1);

    private List<LifecycleEvent> everyTransition() {
        List<LifecycleEvent> all = new ArrayList<>();
        all.add(engine.scaleUp(7, 2, 5, T0));
        all.addAll(engine.serverUp("pool-a-x1", 77, T0));
        all.add(new LifecycleEvent(
                Transition.SERVER_CREATE_FAILED,
                EngineEvents.CLUSTER,
                "pool-a",
                "pool-a-x2",
                "",
                T0,
                null,
                engine.facts("pool-a-x2", T0, null, null, null, null),
                "resource_unavailable",
                Map.of("errorCode", "resource_unavailable", "errorClass", "1")));
        all.add(new LifecycleEvent(
                Transition.SERVER_ADOPTED,
                EngineEvents.CLUSTER,
                "pool-a",
                "pool-a-x1",
                T0.plusSeconds(600).toString(),
                T0.plusSeconds(600),
                77L,
                engine.facts("pool-a-x1", null, T0.plusSeconds(20), null, null, null),
                null,
                Map.of()));
        all.add(new LifecycleEvent(
                Transition.NODE_NOT_READY,
                EngineEvents.CLUSTER,
                "pool-a",
                "pool-a-x1",
                "1",
                T0.plusSeconds(900),
                77L,
                engine.facts("pool-a-x1", T0, T0.plusSeconds(20), T0.plusSeconds(70), T0.plusSeconds(90), null),
                "NodeNotReady",
                Map.of()));
        all.add(engine.scaleDown(3, 1, 4, T0.plusSeconds(1000)));
        all.addAll(engine.serverDown("pool-a-x1", 77, T0, T0.plusSeconds(1200)));
        all.add(new LifecycleEvent(
                Transition.SERVER_REAPED,
                EngineEvents.CLUSTER,
                "pool-a",
                "pool-a-x3",
                "",
                T0.plusSeconds(1300),
                78L,
                engine.facts("pool-a-x3", T0, T0.plusSeconds(20), null, null, T0.plusSeconds(1300)),
                "never registered within max provision time 15m",
                Map.of()));
        return all;
    }

    @Test
    void everyTransitionMapsToSchemaValidData() {
        Set<Transition> seen = EnumSet.noneOf(Transition.class);
        for (LifecycleEvent e : everyTransition()) {
            NodeCloudEvent ce = mapper.toCloudEvent(e);
            seen.add(e.transition());
            assertThat(DataSchema.errors(ce.data()))
                    .as("%s: %s", e.transition(), new String(ce.data(), StandardCharsets.UTF_8))
                    .isEmpty();
            assertThat(ce.type())
                    .isEqualTo("dev.talosburst.node." + e.transition().eventName() + ".v1");
            assertThat(NodeCloudEvent.fromHeaders(ce.headers(), ce.data())).isEqualTo(ce);
        }
        assertThat(seen).containsExactlyInAnyOrder(Transition.values());
    }

    @Test
    void failureAndReapDataCarryCodeClassAndReason() {
        List<LifecycleEvent> all = everyTransition();
        NodeEventData failed = mapper.toCloudEvent(all.stream()
                        .filter(e -> e.transition() == Transition.SERVER_CREATE_FAILED)
                        .findFirst()
                        .orElseThrow())
                .parsedData();
        assertThat(failed.error()).isEqualTo(new NodeEventData.Failure("resource_unavailable", "1"));
        assertThat(failed.billing()).isNull();
        NodeEventData reaped = mapper.toCloudEvent(all.get(all.size() - 1)).parsedData();
        assertThat(reaped.reason()).contains("never registered");
        assertThat(reaped.billing().billableHours()).isEqualTo(1);
    }

    @Test
    void schemaRejectsDataThatBreaksTheContract() throws Exception {
        NodeCloudEvent deleted = mapper.toCloudEvent(
                engine.serverDown("pool-a-x1", 77, T0, T0.plusSeconds(1200)).get(0));
        ObjectNode doc = (ObjectNode) EventJson.mapper().readTree(deleted.data());
        doc.remove("billing");
        assertThat(DataSchema.errors(EventJson.write(doc))).isNotEmpty();

        ObjectNode floaty = (ObjectNode) EventJson.mapper().readTree(deleted.data());
        ((ObjectNode) floaty.get("server").get("price")).put("hourlyNet", 0.006);
        assertThat(DataSchema.errors(EventJson.write(floaty))).isNotEmpty();

        ObjectNode scale = (ObjectNode) EventJson.mapper()
                .readTree(mapper.toCloudEvent(engine.scaleUp(1, 2, 2, T0)).data());
        scale.remove("scale");
        assertThat(DataSchema.errors(EventJson.write(scale))).isNotEmpty();
    }

    @Test
    void secretLookingDetailsAreNeverPublished() {
        LifecycleEvent e = new LifecycleEvent(
                Transition.SERVER_CREATE_REQUESTED,
                EngineEvents.CLUSTER,
                "pool-a",
                "pool-a-x9",
                "",
                T0,
                null,
                engine.facts("pool-a-x9", T0, null, null, null, null),
                null,
                Map.of(
                        "hcloudToken",
                        "abc123",
                        "workerConfig",
                        "machine: {token: x}",
                        "userData",
                        "c2VjcmV0",
                        "attempt",
                        "2"));
        String json = new String(mapper.toCloudEvent(e).data(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("abc123", "machine:", "c2VjcmV0").contains("\"attempt\":\"2\"");
    }

    @Test
    void dataIsDeterministicAndPricesArePlainDecimalStrings() throws Exception {
        LifecycleEvent e = engine.serverUp("pool-a-x1", 77, T0).get(1);
        assertThat(mapper.toCloudEvent(e)).isEqualTo(mapper.toCloudEvent(e));
        JsonNode data = EventJson.mapper().readTree(mapper.toCloudEvent(e).data());
        assertThat(data.at("/server/price/hourlyNet").isTextual()).isTrue();
        assertThat(data.at("/server/phases/createdAt").asText()).isEqualTo("2026-11-20T10:00:20Z");
        assertThat(data.has("billing")).isFalse();
        assertThat(data.toString()).doesNotContain("null");
    }

    @Test
    void unknownTypesAndMissingHeadersAreRefusedByName() {
        NodeCloudEvent ce = mapper.toCloudEvent(engine.scaleUp(1, 1, 1, T0));
        Map<String, String> h = new java.util.HashMap<>(ce.headers());
        h.remove("ce_id");
        assertThatThrownBy(() -> NodeCloudEvent.fromHeaders(h, ce.data())).hasMessageContaining("ce_id");
        h.put("ce_id", "x");
        h.put("ce_type", "com.example.other");
        assertThatThrownBy(() -> NodeCloudEvent.fromHeaders(h, ce.data())).hasMessageContaining("com.example.other");
    }

    @Test
    void sourceIsTheClusterPathSegment() {
        assertThat(NodeEventMapper.sourceOf("lab-1")).isEqualTo("/talos-burst/lab-1");
        assertThat(NodeEventMapper.sourceOf("a b/c")).isEqualTo("/talos-burst/a%20b%2Fc");
    }

    @Test
    void monthlyPriceIsCarriedAndCapsTheDeletionsAmount() throws Exception {
        // cx22 in fsn1 per the simulator's catalogue: 0.0060 EUR/h, 3.79 EUR/month net.
        EngineEvents capped = new EngineEvents("pool-c", "cx22", "fsn1", CataloguePrices.of("cx22", "fsn1"));
        Instant created = Instant.parse("2026-10-01T00:00:00Z");
        LifecycleEvent deleted = capped.serverDown(
                        "pool-c-1", 5, created.minusSeconds(20), created.plus(Duration.ofHours(700)))
                .get(0);
        NodeCloudEvent ce = mapper.toCloudEvent(deleted);
        assertThat(DataSchema.errors(ce.data())).isEmpty();
        JsonNode data = EventJson.mapper().readTree(ce.data());
        assertThat(data.at("/server/price/monthlyNet").asText()).isEqualTo("3.79");
        assertThat(data.at("/server/price/monthlyGross").isTextual()).isTrue();
        assertThat(data.at("/billing/rule").asText()).isEqualTo(HourlyBilling.RULE_MONTHLY_CAP);
        assertThat(data.at("/billing/billableHours").asLong()).isEqualTo(700);
        assertThat(new BigDecimal(data.at("/billing/amountNet").asText()))
                .isEqualByComparingTo("3.79"); // not 700 x 0.0060 = 4.20
        assertThat(new BigDecimal(data.at("/billing/amountGross").asText())).isEqualByComparingTo("4.5101");
        assertThat(ce.parsedData().server().toFacts().price())
                .isEqualTo(deleted.server().price());

        // A price without the monthly cap (as every event before it was carried) keeps the old rule and shape.
        NodeCloudEvent old = mapper.toCloudEvent(
                engine.serverDown("pool-a-x1", 77, T0, T0.plusSeconds(1200)).get(0));
        assertThat(DataSchema.errors(old.data())).isEmpty();
        JsonNode oldData = EventJson.mapper().readTree(old.data());
        assertThat(oldData.at("/server/price").has("monthlyNet")).isFalse();
        assertThat(oldData.at("/billing/rule").asText()).isEqualTo(HourlyBilling.RULE);
    }
}
