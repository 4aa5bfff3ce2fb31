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

    /** A sink that drops everything (for runs without Kafka). */
    static EventSink discarding() {
        return event -> {};
    }
}
