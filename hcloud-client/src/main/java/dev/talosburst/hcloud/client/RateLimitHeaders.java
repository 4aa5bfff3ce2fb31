package dev.talosburst.hcloud.client;

import java.net.http.HttpHeaders;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Hetzner's view of the request budget from one response: {@code RateLimit-Limit} (requests per hour),
 * {@code RateLimit-Remaining} and {@code RateLimit-Reset} (UNIX time at which the bucket is full again).
 *
 * @param reset null when the header is absent
 */
public record RateLimitHeaders(long limit, long remaining, Instant reset) {

    /** The headers of a response, or empty when limit or remaining is missing or unparsable. */
    public static Optional<RateLimitHeaders> from(HttpHeaders headers) {
        OptionalLong limit = number(headers, "RateLimit-Limit");
        OptionalLong remaining = number(headers, "RateLimit-Remaining");
        if (limit.isEmpty() || remaining.isEmpty() || limit.getAsLong() <= 0 || remaining.getAsLong() < 0) {
            return Optional.empty();
        }
        OptionalLong reset = number(headers, "RateLimit-Reset");
        return Optional.of(new RateLimitHeaders(
                limit.getAsLong(),
                Math.min(remaining.getAsLong(), limit.getAsLong()),
                reset.isPresent() ? Instant.ofEpochSecond(reset.getAsLong()) : null));
    }

    private static OptionalLong number(HttpHeaders headers, String name) {
        Optional<String> value = headers.firstValue(name);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(value.get().strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
