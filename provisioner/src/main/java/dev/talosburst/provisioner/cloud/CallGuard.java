package dev.talosburst.provisioner.cloud;

/**
 * The state of what guards calls to a family of Hetzner endpoints (the client's circuit breaker), for health reporting.
 *
 * @param state the guard's own name for its state (e.g. {@code CLOSED}, {@code OPEN}), {@code n/a} when there is none
 * @param open  true while calls are refused without being sent
 */
public record CallGuard(String state, boolean open) {

    /** No guard: calls are always sent. */
    public static final CallGuard NONE = new CallGuard("n/a", false);
}
