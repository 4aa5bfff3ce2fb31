package dev.talosburst.events.reconcile;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** Where the reconciler learns what was already published (or is on its way) per server. */
public interface ServerEventHistory {

    /**
     * Every server of {@code clusterId} with at least one recorded event, by server name; waits until the
     * history is known (e.g. the state topic and the event topic's tail after its checkpoints have been read back), at
     * most {@code timeout}.
     */
    Map<String, RecordedServer> recordedServers(String clusterId, Duration timeout)
            throws TimeoutException, InterruptedException;
}
