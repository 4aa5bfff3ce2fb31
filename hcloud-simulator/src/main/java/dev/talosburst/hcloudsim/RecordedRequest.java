package dev.talosburst.hcloudsim;

import java.time.Instant;

/**
 * One API request as the simulator saw it.
 *
 * @param path         the raw path, e.g. {@code /v1/servers}
 * @param query        the raw query string, or empty
 * @param status       the status sent (or that would have been sent, when the response was lost)
 * @param responseLost whether a fault dropped the connection instead of answering
 */
public record RecordedRequest(
        Instant time, String method, String path, String query, int status, boolean responseLost) {}
