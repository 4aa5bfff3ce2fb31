package dev.talosburst.autoscaler.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what is logged to a logger and its children, down to DEBUG, while open (JBoss Logging writes through JBoss
 * LogManager, a JUL manager, in these tests). Closing restores the logger's level.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedLog(Logger logger) {
        this.logger = logger;
        this.previous = logger.getLevel();
        logger.setLevel(Level.FINE); // = JBoss DEBUG
        logger.addHandler(this);
    }

    /** Starts capturing {@code category} (a logger name such as {@code dev.talosburst}) and everything below it. */
    public static CapturedLog of(String category) {
        return new CapturedLog(Logger.getLogger(category));
    }

    /** Formatted messages logged at exactly {@code level} (by value: JBoss WARN/INFO/DEBUG equal JUL WARNING/INFO/FINE). */
    public List<String> at(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() == level.intValue()).map(CapturedLog::text).toList();
    }

    /** Formatted messages logged at {@code level} or above. */
    public List<String> atLeast(Level level) {
        return records.stream().filter(r -> r.getLevel().intValue() >= level.intValue()).map(CapturedLog::text).toList();
    }

    private static String text(LogRecord r) {
        try {
            return (String) r.getClass().getMethod("getFormattedMessage").invoke(r);
        } catch (ReflectiveOperationException e) {
            return r.getParameters() == null ? r.getMessage() : String.format(r.getMessage(), r.getParameters());
        }
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previous);
    }
}
