package dev.talosburst.provisioner.nodegroup;

import java.util.Optional;

/**
 * One instance of a group as reported to CA.
 *
 * @param id {@code hcloud://<server-id>} (= the Node's providerID) or a placeholder for a pending creation
 * @param error present only for a failed creation (then state is {@link State#CREATING})
 */
public record InstanceView(String id, State state, Optional<ErrorInfo> error) {

    /** CA's instance states. */
    public enum State {
        RUNNING,
        CREATING,
        DELETING
    }

    /** CA's error classes. */
    public enum ErrorClass {
        OUT_OF_RESOURCES(1),
        OTHER(99);

        private final int code;

        ErrorClass(int code) {
            this.code = code;
        }

        /** The number CA expects in {@code instanceErrorClass}. */
        public int code() {
            return code;
        }
    }

    /** Why a creation failed, in Hetzner's words. */
    public record ErrorInfo(String code, String message, ErrorClass errorClass) {}

    public InstanceView {
        error = error == null ? Optional.empty() : error;
    }
}
