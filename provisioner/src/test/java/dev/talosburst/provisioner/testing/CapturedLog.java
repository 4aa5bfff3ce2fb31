package dev.talosburst.provisioner.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Records the formatted messages logged to a logger and its children while open. JBoss Logging writes through JBoss
 * LogManager, a JUL manager, in every module's tests (surefire sets {@code java.util.logging.manager}), so a JUL handler
 * sees them; its levels equal JUL's by value (WARN = WARNING, INFO = INFO, DEBUG = FINE). Shared with the other modules'
 * tests through provisioner's test-jar.
 */
public final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previous;
    private final boolean levelChanged;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedLog(Logger logger, Level downTo) {
        this.logger = logger;
        this.previous = logger.getLevel();
        this.levelChanged = downTo != null;
        if (levelChanged) {
            logger.setLevel(downTo);
        }
        logger.addHandler(this);
    }

    /** Starts capturing {@code category} (a logger name such as {@code dev.talosburst}) at its configured level (INFO). */
    public static CapturedLog of(String category) {
        return new CapturedLog(Logger.getLogger(category), null);
    }

    /** Starts capturing what {@code type}'s logger logs at its configured level (INFO). */
    public static CapturedLog of(Class<?> type) {
        return of(type.getName());
    }

    /**
     * Starts capturing {@code category} with its level lowered to {@code downTo} (e.g. {@link Level#FINE} for DEBUG
     * lines), which closing restores; a level change also enables those lines for the code under test.
     */
    public static CapturedLog of(String category, Level downTo) {
        return new CapturedLog(Logger.getLogger(category), downTo);
    }

    /** Formatted messages logged at exactly {@code level} (by value: JBoss WARN/INFO/DEBUG equal JUL WARNING/INFO/FINE). */
    public List<String> at(Level level) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() == level.intValue())
                .map(CapturedLog::text)
                .toList();
    }

    /** Formatted messages logged at {@code level} or above. */
    public List<String> atLeast(Level level) {
        return records.stream()
                .filter(r -> r.getLevel().intValue() >= level.intValue())
                .map(CapturedLog::text)
                .toList();
    }

    /** JBoss records format their own way (printf or {0} style); a plain JUL record uses JUL's {0} formatting. */
    private static String text(LogRecord r) {
        return r instanceof ExtLogRecord ext ? ext.getFormattedMessage() : new SimpleFormatter().formatMessage(r);
    }

    /** The logging MDC (e.g. pool, server, action) of each record whose formatted message contains {@code text}. */
    public List<Map<String, String>> contextOf(String text) {
        return records.stream()
                .filter(r -> text(r).contains(text))
                .map(r -> r instanceof ExtLogRecord ext ? Map.copyOf(ext.getMdcCopy()) : Map.<String, String>of())
                .toList();
    }

    @Override
    public void publish(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            ext.copyMdc(); // the MDC belongs to the logging thread: keep it with the record
        }
        records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        logger.removeHandler(this);
        if (levelChanged) {
            logger.setLevel(previous);
        }
    }
}
