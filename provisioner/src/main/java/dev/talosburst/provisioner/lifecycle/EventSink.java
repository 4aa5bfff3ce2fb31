package dev.talosburst.provisioner.lifecycle;

/**
 * Where the domain reports node lifecycle transitions (billing and audit read them).
 *
 * <p>{@link #emit} must not block on a broker: implementations queue durably-enough and deliver in
 * the background, in order per subject. The same event emitted twice carries the same identity
 * ({@link LifecycleEvent#identity()}), so consumers can drop the duplicate.
 */
public interface EventSink {

    void emit(LifecycleEvent event);

    /**
     * This replica is about to act (the only replica, or promoted): what the sink decides from (what was published
     * before) must be re-read first, since another replica may have published meanwhile; only an acting replica writes
     * shared state.
     */
    default void leading() {}

    /** This replica does not act (a standby, or demoted): it leaves shared state to the leader. */
    default void following() {}

    /** A sink that drops everything (for runs without Kafka). */
    static EventSink discarding() {
        return event -> {};
    }
}
