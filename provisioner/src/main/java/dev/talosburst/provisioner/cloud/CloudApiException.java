package dev.talosburst.provisioner.cloud;

/**
 * A failed Hetzner Cloud API call, classified so the domain knows what to do next.
 * The message is Hetzner's own message plus context; it never contains the API token or user-data.
 */
public class CloudApiException extends RuntimeException {

    /** What the domain may do about a failure. */
    public enum Kind {
        /** Stock-out, quota or placement failure: report class 1 (OutOfResources) to cluster-autoscaler. */
        OUT_OF_RESOURCES,
        /** Transient: rate limit, conflict, locked, timeout, 5xx, network failure. Safe to retry. */
        RETRYABLE,
        /** {@code uniqueness_error}: an object with that name exists and was not adopted. */
        ALREADY_EXISTS,
        /** {@code not_found}. */
        NOT_FOUND,
        /** Retrying cannot help: invalid input, bad token, forbidden, protected. */
        FATAL
    }

    private final Kind kind;
    private final String code;
    private final int httpStatus;
    private final String correlationId;

    public CloudApiException(
            Kind kind, String code, int httpStatus, String message, String correlationId, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
        this.httpStatus = httpStatus;
        this.correlationId = correlationId;
    }

    public CloudApiException(Kind kind, String code, int httpStatus, String message, String correlationId) {
        this(kind, code, httpStatus, message, correlationId, null);
    }

    public Kind kind() {
        return kind;
    }

    /** Hetzner's error code, e.g. {@code resource_unavailable}; {@code network_error} when no response arrived. */
    public String code() {
        return code;
    }

    /** HTTP status, 0 when no response arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Hetzner's {@code X-Correlation-Id}, null when absent. */
    public String correlationId() {
        return correlationId;
    }
}
