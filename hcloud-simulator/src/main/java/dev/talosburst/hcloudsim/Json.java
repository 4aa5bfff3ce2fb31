package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The JSON mapper and timestamp format shared by the simulator. */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Hetzner prints RFC 3339 timestamps with a numeric offset, e.g. {@code 2016-01-30T23:50:00+00:00}. */
    private static final DateTimeFormatter RFC3339 =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx").withZone(ZoneOffset.UTC);

    private Json() {}

    static String time(Instant instant) {
        return RFC3339.format(instant);
    }
}
