package dev.talosburst.autoscaler.config;

import io.quarkus.runtime.configuration.DurationConverter;
import jakarta.annotation.Priority;
import java.time.Duration;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads a duration as Quarkus does ({@code 90s}, {@code 10m}, {@code 1h}, {@code PT10M}) and says so when it cannot.
 * Registered for every {@link Duration} option (META-INF/services), above Quarkus' own converter (priority 200).
 */
@Priority(250)
public class OperatorDuration implements Converter<Duration> {

    private static final DurationConverter QUARKUS = new DurationConverter();

    @Override
    public Duration convert(String value) {
        try {
            return QUARKUS.convert(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + value.strip() + "' is not a duration; write a number and a unit, "
                    + "e.g. 90s, 10m, 1h (or ISO-8601, e.g. PT10M)");
        }
    }
}
