package dev.talosburst.demo;

/** Something the demo waits for did not happen; the message says what and where to look. */
public final class DemoFailure extends RuntimeException {

    public DemoFailure(String message) {
        super(message);
    }
}
