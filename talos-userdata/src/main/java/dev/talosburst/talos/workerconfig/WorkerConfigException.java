package dev.talosburst.talos.workerconfig;

import java.util.List;

/**
 * The worker config, a pool's settings or a rendered node config is unusable. The message names the file,
 * pool, patch, document and field to fix, and never contains a value from the worker config.
 */
public class WorkerConfigException extends RuntimeException {

    /** What kind of problem it is, for callers that react differently (e.g. fail start-up vs. retry). */
    public enum Problem {
        /** The worker config file cannot be read or parsed. */
        UNREADABLE_CONFIG,
        /** The worker config or the configured talos-version is not one this renderer can handle. */
        UNSUPPORTED_CONFIG,
        /** A pool patch is not valid YAML or not a strategic-merge patch. */
        INVALID_PATCH,
        /** A pool patch touches something talos-burst manages or that Talos rejects on workers. */
        PATCH_CONFLICT,
        /** A node setting (label, taint, hostname) is invalid. */
        INVALID_SETTING,
        /** The rendered config breaks a built-in rule. */
        CHECK_FAILED,
        /** The rendered config does not validate against the Talos JSON Schema. */
        SCHEMA_VIOLATION,
        /** The rendered user-data does not fit Hetzner's limit. */
        TOO_LARGE
    }

    private final Problem problem;
    private final String summary;
    private final List<String> details;

    WorkerConfigException(Problem problem, String message) {
        this(problem, message, List.of());
    }

    WorkerConfigException(Problem problem, String message, List<String> details) {
        super(details.isEmpty() ? message : message + ":\n  - " + String.join("\n  - ", details), null, false, true);
        this.problem = problem;
        this.summary = message;
        this.details = List.copyOf(details);
    }

    /** What kind of problem it is. */
    public Problem problem() {
        return problem;
    }

    /** The message without the details. */
    public String summary() {
        return summary;
    }

    /** The individual findings (e.g. one per schema violation), each naming a document and a path. */
    public List<String> details() {
        return details;
    }
}
