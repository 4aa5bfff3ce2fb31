package dev.talosburst.hcloudsim.labels;

/** A label selector that does not follow Hetzner's grammar; the message names the offending term. */
public final class InvalidLabelSelectorException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    InvalidLabelSelectorException(String message) {
        super(message);
    }
}
