package dev.talosburst.demo;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Keeps the embedded broker, the mock API server and the clients from drowning the timeline in their logs. */
final class Quiet {

    /** Strong references: java.util.logging forgets levels of loggers that are garbage collected. */
    private static final List<Logger> LOGGERS = List.of(
            Logger.getLogger(""),
            Logger.getLogger("org.apache.kafka"),
            Logger.getLogger("kafka"),
            Logger.getLogger("io.fabric8"),
            Logger.getLogger("io.grpc"),
            Logger.getLogger("io.netty"));

    private static final Logger VERTX = Logger.getLogger("io.vertx");

    private Quiet() {}

    static void logs() {
        // before the first use of SLF4J (Kafka) and Vert.x (the mock API server): no "no providers" notice, and Vert.x
        // logs through java.util.logging (silenced below) instead of an unconfigured Log4j 2 printing to the console
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
        LOGGERS.forEach(l -> l.setLevel(Level.SEVERE));
        // The mock API server answers a failed JSON-patch test (a stale resourceVersion) by logging the exception; the
        // client retries, so this is noise here.
        VERTX.setLevel(Level.OFF);
        for (var h : Logger.getLogger("").getHandlers()) {
            h.setLevel(Level.SEVERE);
        }
    }
}
