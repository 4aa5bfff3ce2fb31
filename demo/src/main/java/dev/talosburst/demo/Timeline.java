package dev.talosburst.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The demo's live timeline: one line per step, stamped with the seconds since the burst began. */
public final class Timeline {

    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final List<String> lines = new ArrayList<>();

    public Timeline(PrintStream out) {
        this.out = out;
    }

    /** Prints and keeps one step. */
    public synchronized void note(String what) {
        String line = String.format(Locale.ROOT, "[%6.1fs] %s", elapsedSeconds(), what);
        lines.add(line);
        out.println(line);
        out.flush();
    }

    /** Prints a line without a time stamp (headings, tables). */
    public synchronized void print(String text) {
        out.println(text);
        out.flush();
    }

    /** Seconds since this timeline was created. */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Every stamped line so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
