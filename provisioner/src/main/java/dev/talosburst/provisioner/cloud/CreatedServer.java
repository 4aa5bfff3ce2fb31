package dev.talosburst.provisioner.cloud;

import java.util.List;

/**
 * The outcome of {@link CloudApi#createServer}.
 *
 * @param action the {@code create_server} action; null when the server was adopted
 * @param nextActions e.g. {@code start_server}; empty when adopted
 * @param adopted true when a server with this name and our labels already existed and was taken over
 */
public record CreatedServer(Server server, Action action, List<Action> nextActions, boolean adopted) {
    public CreatedServer {
        nextActions = List.copyOf(nextActions == null ? List.of() : nextActions);
    }
}
