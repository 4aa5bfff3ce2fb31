package dev.talosburst.provisioner.lifecycle;

/** A step in a node's life; the event type is {@code dev.talosburst.node.<name>.v1}. */
public enum Transition {
    SCALE_UP_REQUESTED("scale-up-requested"),
    SERVER_CREATE_REQUESTED("server-create-requested"),
    SERVER_CREATED("server-created"),
    SERVER_CREATE_FAILED("server-create-failed"),
    NODE_REGISTERED("node-registered"),
    NODE_READY("node-ready"),
    NODE_NOT_READY("node-not-ready"),
    SCALE_DOWN_REQUESTED("scale-down-requested"),
    SERVER_DELETED("server-deleted"),
    NODE_REMOVED("node-removed"),
    SERVER_REAPED("server-reaped"),
    /**
     * A restarted talos-burst took over a server it found at Hetzner (a fact learned later, with its own identity per
     * adoption: never a second version of the server's {@code server-created}).
     */
    SERVER_ADOPTED("server-adopted");

    private final String eventName;

    Transition(String eventName) {
        this.eventName = eventName;
    }

    /** The kebab-case name used in the CloudEvents type. */
    public String eventName() {
        return eventName;
    }

    /** True for transitions that happen to a pool rather than to one server. */
    public boolean isPoolLevel() {
        return this == SCALE_UP_REQUESTED || this == SCALE_DOWN_REQUESTED;
    }
}
