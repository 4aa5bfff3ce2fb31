package dev.talosburst.events.model;

import dev.talosburst.provisioner.lifecycle.Transition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A node lifecycle event as a CloudEvent 1.0 in Kafka binary mode: attributes become {@code ce_*} headers,
 * the JSON data is the record value, and the record key is the subject (server name, or pool id for
 * pool-level events) so that every server's events stay in order on one partition.
 *
 * @param id deterministic, see {@link EventIds}
 * @param source {@code /talos-burst/<cluster-id>}
 * @param type {@code dev.talosburst.node.<event-name>.v1}
 * @param subject server name, or pool id for pool-level events; also the Kafka record key
 * @param time when the transition happened
 * @param dataSchema URI of the data's JSON Schema, may be null
 * @param transition the domain transition
 * @param data the JSON data (UTF-8)
 */
public record NodeCloudEvent(
        String id,
        String source,
        String type,
        String subject,
        Instant time,
        String dataSchema,
        Transition transition,
        byte[] data) {

    /** The event topic unless configured otherwise (producer and consumers agree on it). */
    public static final String DEFAULT_TOPIC = "talos-burst.node-lifecycle.v1";
    /** CloudEvents spec version written in {@code ce_specversion}. */
    public static final String SPEC_VERSION = "1.0";
    /** Content type of the data. */
    public static final String CONTENT_TYPE = "application/json";
    /** Prefix of every event type. */
    public static final String TYPE_PREFIX = "dev.talosburst.node.";
    /** Suffix of every event type of data schema version 1. */
    public static final String TYPE_SUFFIX = ".v1";

    public NodeCloudEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(transition, "transition");
        Objects.requireNonNull(data, "data");
    }

    /** The CloudEvents type of a transition, e.g. {@code dev.talosburst.node.server-created.v1}. */
    public static String typeOf(Transition transition) {
        return TYPE_PREFIX + transition.eventName() + TYPE_SUFFIX;
    }

    /** The transition named by a CloudEvents type, or null for a type this version does not know. */
    public static Transition transitionOf(String type) {
        if (type == null || !type.startsWith(TYPE_PREFIX) || !type.endsWith(TYPE_SUFFIX)) {
            return null;
        }
        String name = type.substring(TYPE_PREFIX.length(), type.length() - TYPE_SUFFIX.length());
        for (Transition t : Transition.values()) {
            if (t.eventName().equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** The same event with another {@code ce_dataschema}. */
    public NodeCloudEvent withDataSchema(String schema) {
        return new NodeCloudEvent(id, source, type, subject, time, schema, transition, data);
    }

    /** The Kafka record key: the subject. */
    public String key() {
        return subject;
    }

    /** True when the subject is a server (not a pool). */
    public boolean isServerEvent() {
        return !transition.isPoolLevel();
    }

    /** The Kafka headers of binary mode, in a stable order (names as in the CloudEvents Kafka binding). */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ce_specversion", SPEC_VERSION);
        h.put("ce_id", id);
        h.put("ce_source", source);
        h.put("ce_type", type);
        h.put("ce_subject", subject);
        h.put("ce_time", time.toString());
        if (dataSchema != null) {
            h.put("ce_dataschema", dataSchema);
        }
        h.put("content-type", CONTENT_TYPE);
        return h;
    }

    /** Rebuilds an event from binary-mode headers and value; fails naming the missing header. */
    public static NodeCloudEvent fromHeaders(Map<String, String> headers, byte[] value) {
        String type = required(headers, "ce_type");
        Transition transition = transitionOf(type);
        if (transition == null) {
            throw new IllegalArgumentException(
                    "unknown event type '" + type + "'; expected " + TYPE_PREFIX + "<name>" + TYPE_SUFFIX);
        }
        return new NodeCloudEvent(
                required(headers, "ce_id"),
                required(headers, "ce_source"),
                type,
                required(headers, "ce_subject"),
                Instant.parse(required(headers, "ce_time")),
                headers.get("ce_dataschema"),
                transition,
                value == null ? new byte[0] : value);
    }

    private static String required(Map<String, String> headers, String name) {
        String v = headers.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("CloudEvent header '" + name + "' is missing");
        }
        return v;
    }

    /** The parsed data. */
    public NodeEventData parsedData() {
        return EventJson.read(data, NodeEventData.class);
    }

    @Override
    public String toString() {
        return "NodeCloudEvent[" + type + " id=" + id + " subject=" + subject + " time=" + time + " data="
                + new String(data, StandardCharsets.UTF_8) + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeCloudEvent e
                && id.equals(e.id)
                && source.equals(e.source)
                && type.equals(e.type)
                && subject.equals(e.subject)
                && time.equals(e.time)
                && Objects.equals(dataSchema, e.dataSchema)
                && java.util.Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, source, type, subject, time);
    }
}
