package dev.talosburst.events.model;

import dev.talosburst.provisioner.lifecycle.LifecycleEvent;
import dev.talosburst.provisioner.lifecycle.LifecycleEvent.ServerFacts;
import dev.talosburst.provisioner.lifecycle.Transition;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/** Turns the domain's {@link LifecycleEvent} into a {@link NodeCloudEvent} with schema-v1 JSON data. */
public final class NodeEventMapper {

    /** Default {@code ce_dataschema}: the {@code $id} of {@code schemas/node-lifecycle-v1.schema.json}. */
    public static final String DATA_SCHEMA_V1 = "urn:dev.talosburst:schema:node-lifecycle:v1";

    /** Detail keys that look like credentials are never published, whatever the engine put there. */
    private static final Pattern SECRET_KEY = Pattern.compile(
            ".*(token|secret|password|passwd|credential|privatekey|private-key|private_key|userdata|user-data|user_data"
                    + "|machineconfig|workerconfig|talosconfig|kubeconfig).*");

    private final String dataSchema;

    /** A mapper writing {@code dataSchema} (may be null to omit {@code ce_dataschema}). */
    public NodeEventMapper(String dataSchema) {
        this.dataSchema = dataSchema;
    }

    /** The CloudEvents source of a cluster: {@code /talos-burst/<cluster-id>} (id percent-encoded). */
    public static String sourceOf(String clusterId) {
        return "/talos-burst/"
                + URLEncoder.encode(clusterId, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Maps one lifecycle event; the result is deterministic for equal inputs. */
    public NodeCloudEvent toCloudEvent(LifecycleEvent event) {
        NodeEventData data = toData(event);
        return new NodeCloudEvent(
                EventIds.forIdentity(event.identity()),
                sourceOf(event.clusterId()),
                NodeCloudEvent.typeOf(event.transition()),
                event.subject(),
                event.at(),
                dataSchema,
                event.transition(),
                EventJson.write(data));
    }

    /** The JSON data of one lifecycle event. */
    public static NodeEventData toData(LifecycleEvent event) {
        Map<String, String> details = new LinkedHashMap<>(event.details());
        NodeEventData.Scale scale = null;
        if (event.transition().isPoolLevel()) {
            Integer delta = takeInt(details, "delta");
            if (delta == null && event.transition() == Transition.SCALE_DOWN_REQUESTED) {
                delta = takeInt(details, "count"); // the engine names the number of nodes to delete "count"
            }
            Integer previousTarget = takeInt(details, "previousTarget");
            Integer newTarget = takeInt(details, "newTarget");
            if (delta != null || previousTarget != null || newTarget != null) {
                scale = new NodeEventData.Scale(delta, previousTarget, newTarget);
            }
        }
        NodeEventData.Failure error = null;
        if (details.containsKey("errorCode") || details.containsKey("errorClass")) {
            error = new NodeEventData.Failure(details.remove("errorCode"), details.remove("errorClass"));
        }
        details.keySet()
                .removeIf(k -> SECRET_KEY.matcher(k.toLowerCase(Locale.ROOT)).matches());

        ServerFacts facts = event.server();
        NodeEventData.Server server = facts == null ? null : NodeEventData.Server.of(event.serverId(), facts);
        if (server == null && !event.transition().isPoolLevel()) {
            // A server event without facts still names its server (the subject).
            server = new NodeEventData.Server(
                    event.serverId(),
                    NodeEventData.Server.providerIdOf(event.serverId()),
                    event.subject(),
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    null);
        }
        String pool = event.pool() != null ? event.pool() : (event.transition().isPoolLevel() ? event.subject() : null);
        return new NodeEventData(
                event.transition().eventName(),
                event.clusterId(),
                pool,
                event.at(),
                server,
                event.reason(),
                scale,
                error,
                billingOf(facts),
                details);
    }

    private static NodeEventData.Billing billingOf(ServerFacts facts) {
        if (facts == null || facts.createdAt() == null || facts.deletedAt() == null) {
            return null;
        }
        long hours = HourlyBilling.billableHours(facts.createdAt(), facts.deletedAt());
        long lifetime = Math.max(
                0, Duration.between(facts.createdAt(), facts.deletedAt()).getSeconds());
        if (facts.price() == null) {
            return new NodeEventData.Billing(HourlyBilling.RULE, lifetime, hours, null, null, null);
        }
        HourlyBilling.Rate rate = NodeEventData.Price.of(facts.price()).rate();
        HourlyBilling.Amount amount = HourlyBilling.amount(facts.createdAt(), facts.deletedAt(), rate);
        return new NodeEventData.Billing(
                rate.rule(),
                lifetime,
                hours,
                amount.net(),
                amount.gross(),
                facts.price().currency());
    }

    private static Integer takeInt(Map<String, String> details, String key) {
        String v = details.get(key);
        if (v == null) {
            return null;
        }
        try {
            int parsed = Integer.parseInt(v.trim());
            details.remove(key);
            return parsed;
        } catch (NumberFormatException e) {
            return null; // keep the unparsable value visible in details instead of losing it
        }
    }
}
