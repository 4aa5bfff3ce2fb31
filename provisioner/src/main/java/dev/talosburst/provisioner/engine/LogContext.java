package dev.talosburst.provisioner.engine;

import org.jboss.logging.MDC;

/**
 * The fields operators filter logs by, set in the logging MDC around the engine's per-server work: {@code pool},
 * {@code server} and {@code action} (create, delete, reap). Every line logged meanwhile on that thread carries them, the
 * Hetzner client's included (JSON logs show them as fields). Uses the logging facade the domain already logs with.
 */
final class LogContext {
    static final String POOL = "pool";
    static final String SERVER = "server";
    static final String ACTION = "action";

    private LogContext() {}

    /** Runs {@code work} with the three fields set, restoring what the thread had before. */
    static void run(String pool, String server, String action, Runnable work) {
        Object previousPool = MDC.get(POOL);
        Object previousServer = MDC.get(SERVER);
        Object previousAction = MDC.get(ACTION);
        MDC.put(POOL, pool);
        MDC.put(SERVER, server);
        MDC.put(ACTION, action);
        try {
            work.run();
        } finally {
            restore(POOL, previousPool);
            restore(SERVER, previousServer);
            restore(ACTION, previousAction);
        }
    }

    private static void restore(String key, Object previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}
