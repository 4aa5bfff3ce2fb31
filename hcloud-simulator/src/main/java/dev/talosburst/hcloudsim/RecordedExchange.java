package dev.talosburst.hcloudsim;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A full API call, for contract checks: request (without the {@code Authorization} header) and response.
 *
 * @param requestHeaders  lower-cased names; {@code authorization} is never recorded
 * @param requestBody     the body as sent, or empty
 * @param responseHeaders lower-cased names
 * @param responseBody    the body as sent (or as it would have been, when the response was lost)
 */
public record RecordedExchange(
        Instant time,
        String method,
        String path,
        String query,
        Map<String, List<String>> requestHeaders,
        String requestBody,
        int status,
        Map<String, List<String>> responseHeaders,
        String responseBody,
        boolean responseLost) {

    /** Summary without bodies, which may hold user data. */
    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query) + " -> " + status
                + (responseLost ? " (lost)" : "");
    }
}
