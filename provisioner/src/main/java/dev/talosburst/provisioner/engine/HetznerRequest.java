package dev.talosburst.provisioner.engine;

import java.time.Instant;

/**
 * One kind of Hetzner request of a slot — its create, or its delete: whether one is in flight, and when a failed one is
 * due again. Written under the view's lock; {@link #inFlight} is read without it.
 */
final class HetznerRequest {

    private volatile boolean inFlight;
    /** When a failed request is sent again; null: no retry is scheduled. */
    private Instant retryAt;

    boolean inFlight() {
        return inFlight;
    }

    /** A worker takes it: in flight from now on (any scheduled retry is this one); false when one already is. */
    boolean take() {
        if (inFlight) {
            return false;
        }
        inFlight = true;
        retryAt = null;
        return true;
    }

    /** The request ended: answered, or abandoned without anything to retry. */
    void ended() {
        inFlight = false;
    }

    /** The request failed; it is sent again at {@code at} (never when null). */
    void failed(Instant at) {
        inFlight = false;
        retryAt = at;
    }

    /** True when a failed request's back-off is over and nothing is in flight. */
    boolean retryDue(Instant now) {
        return !inFlight && retryAt != null && !now.isBefore(retryAt);
    }

    /** The due retry is taken by the caller (it will {@link #take} the request). */
    void retryTaken() {
        retryAt = null;
    }

    /** Sent again as soon as possible (e.g. once this replica leads), unless one is in flight. */
    void retryNow(Instant now) {
        if (!inFlight) {
            retryAt = now;
        }
    }
}
