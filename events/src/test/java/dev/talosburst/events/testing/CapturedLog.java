package dev.talosburst.events.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Formatted messages logged to one logger (JBoss Logging writes through JBoss LogManager, a JUL manager, in tests). */
public final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedLog(Logger logger) {
        this.logger = logger;
    }

    /** Starts capturing what {@code type}'s logger logs; close to stop. */
    public static CapturedLog of(Class<?> type) {
        CapturedLog h = new CapturedLog(Logger.getLogger(type.getName()));
        h.logger.addHandler(h);
        return h;
    }

    /** Messages logged at exactly {@code level} (by value: JBoss levels WARN/INFO equal JUL WARNING/INFO). */
    public List<String> at(Level level) {
        List<String> out = new ArrayList<>();
        for (LogRecord r : records) {
            if (r.getLevel().intValue() == level.intValue()) {
                out.add(text(r));
            }
        }
        return out;
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
    }
}
