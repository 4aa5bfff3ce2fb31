package dev.talosburst.provisioner.cloud;

import java.time.Instant;
import java.util.List;

/**
 * A Hetzner action ({@code create_server}, {@code start_server}, {@code delete_server}, ...).
 *
 * @param status {@code running}, {@code success} or {@code error}
 * @param errorCode null unless status is {@code error}
 */
public record Action(
        long id,
        String command,
        String status,
        int progress,
        Instant started,
        Instant finished,
        List<Long> serverIds,
        String errorCode,
        String errorMessage) {

    public Action {
        serverIds = List.copyOf(serverIds == null ? List.of() : serverIds);
    }

    public boolean isRunning() {
        return "running".equals(status);
    }

    public boolean isError() {
        return "error".equals(status);
    }
}
