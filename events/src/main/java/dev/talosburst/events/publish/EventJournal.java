package dev.talosburst.events.publish;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.model.NodeCloudEvent;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A local append-only journal of events not yet acknowledged by Kafka, so that neither a full queue nor a
 * crash loses one. One JSON line per event ({@code seq} + the CloudEvent) and one per acknowledgement
 * ({@code ack}); a torn last line after a crash is skipped. The file is truncated once everything written
 * to it has been acknowledged and the state records of those events are written. One process at a time: the
 * file is locked.
 */
final class EventJournal implements Closeable {

    private static final Logger LOG = Logger.getLogger(EventJournal.class);
    static final String FILE_NAME = "node-lifecycle-events.journal";

    private final Path file;
    private final boolean fsync;
    private final FileChannel channel;
    private final FileLock lock;
    private final Set<Integer> warnedLines = new HashSet<>();

    /** One journaled event. */
    record Entry(long seq, NodeCloudEvent event) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(Long seq, Long ack, String id, String source, String type, String subject, Instant time,
                String dataSchema, String data) {
    }

    private EventJournal(Path file, boolean fsync, FileChannel channel, FileLock lock) {
        this.file = file;
        this.fsync = fsync;
        this.channel = channel;
        this.lock = lock;
    }

    /** Opens (creating if needed) the journal in {@code dir}; fails with the path when the directory is unusable or in use. */
    static EventJournal open(Path dir, boolean fsync) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                lock = null; // held by this very JVM
            }
            if (lock == null) {
                ch.close();
                throw new IllegalStateException("event journal " + file + " is locked by another talos-burst process;"
                        + " give each instance its own journal directory");
            }
            ch.position(ch.size());
            if (ch.size() > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                ch.read(last, ch.size() - 1);
                if (last.get(0) != '\n') {
                    // A crash tore the last line: end it so the next append starts a clean line.
                    ch.write(ByteBuffer.wrap(new byte[] {'\n'}));
                }
            }
            return new EventJournal(file, fsync, ch, lock);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the event journal in " + dir
                    + "; make it a writable directory or unset the journal", e);
        }
    }

    /** Appends an event; durable on return when fsync is on. */
    synchronized void append(long seq, NodeCloudEvent e) throws IOException {
        write(new Line(seq, null, e.id(), e.source(), e.type(), e.subject(), e.time(), e.dataSchema(),
                new String(e.data(), StandardCharsets.UTF_8)), fsync);
    }

    /** Records that Kafka acknowledged {@code seq} (not forced: a lost ack only causes a harmless re-publish). */
    synchronized void acknowledge(long seq) throws IOException {
        write(new Line(null, seq, null, null, null, null, null, null, null), false);
    }

    /** Empties the file; call only when every appended event is acknowledged. */
    synchronized void truncate() throws IOException {
        warnedLines.clear();
        channel.truncate(0);
        channel.position(0);
    }

    synchronized long size() throws IOException {
        return channel.size();
    }

    /** Unacknowledged events with {@code seq > afterSeq}, in order, at most {@code max}. */
    synchronized List<Entry> unacknowledged(long afterSeq, int max) throws IOException {
        return entries(false, afterSeq, max);
    }

    /**
     * Acknowledged events still in the file, in order: published, but their state records may not have reached
     * the state topic before a crash (the file is only truncated once those are written too).
     */
    synchronized List<Entry> acknowledged() throws IOException {
        return entries(true, 0, Integer.MAX_VALUE);
    }

    private List<Entry> entries(boolean wantAcknowledged, long afterSeq, int max) throws IOException {
        List<Line> lines = readLines();
        Set<Long> acked = new HashSet<>();
        for (Line l : lines) {
            if (l.ack() != null) {
                acked.add(l.ack());
            }
        }
        List<Entry> out = new ArrayList<>();
        for (Line l : lines) {
            if (l.seq() != null && l.seq() > afterSeq && acked.contains(l.seq()) == wantAcknowledged && out.size() < max) {
                out.add(new Entry(l.seq(), toEvent(l)));
            }
        }
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return out;
    }

    /** Highest sequence number ever written to the current file (0 when empty). */
    synchronized long lastSeq() throws IOException {
        long max = 0;
        for (Line l : readLines()) {
            max = Math.max(max, l.seq() != null ? l.seq() : l.ack() != null ? l.ack() : 0);
        }
        return max;
    }

    private NodeCloudEvent toEvent(Line l) {
        return NodeCloudEvent.fromHeaders(Map.of("ce_id", l.id(), "ce_source", l.source(), "ce_type", l.type(),
                        "ce_subject", l.subject(), "ce_time", l.time().toString()),
                l.data().getBytes(StandardCharsets.UTF_8)).withDataSchema(l.dataSchema());
    }

    private List<Line> readLines() throws IOException {
        List<Line> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String s;
            int n = 0;
            while ((s = r.readLine()) != null) {
                n++;
                if (s.isBlank()) {
                    continue;
                }
                try {
                    lines.add(EventJson.mapper().readValue(s, Line.class));
                } catch (IOException e) {
                    // Only the last line can be torn by a crash; anything else is worth a loud warning.
                    if (warnedLines.add(n)) {
                        LOG.warnf("skipping unreadable line %d of event journal %s (%s)", n, file, e.getClass().getSimpleName());
                    }
                }
            }
        }
        return lines;
    }

    private void write(Line line, boolean force) throws IOException {
        byte[] json = EventJson.write(line);
        ByteBuffer buf = ByteBuffer.allocate(json.length + 1);
        buf.put(json).put((byte) '\n').flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        if (force) {
            channel.force(false);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
