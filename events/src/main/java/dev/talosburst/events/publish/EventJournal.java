package dev.talosburst.events.publish;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.model.NodeCloudEvent;
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
import java.util.concurrent.locks.LockSupport;
import org.jboss.logging.Logger;

/**
 * A local append-only journal of events not yet acknowledged by Kafka, so that neither a full queue nor a
 * crash loses one. One JSON line per event ({@code seq} + the CloudEvent) and one per acknowledgement
 * ({@code ack}); a torn last line after a crash is skipped. The file is truncated once everything written
 * to it has been acknowledged and the state records of those events are written. One process at a time: the
 * file is locked.
 *
 * <p>Group commit: {@link #append} writes the line to the file (the operating system's page cache) and returns; with
 * fsync on, one background thread forces the file to disk while lines are written, at most every
 * {@link #GROUP_COMMIT_INTERVAL}, each {@code fsync} covering every line written before it started. A killed process
 * ({@code kill -9}, OOM kill, a crash of the JVM) loses nothing: the kernel holds what was written. Only a crash of the
 * machine itself (power loss, kernel panic) can lose the lines written since the last completed {@code fsync} (at most
 * the interval plus one {@code fsync}); {@link #syncedLag()} says how many.
 */
final class EventJournal implements Closeable {

    private static final Logger LOG = Logger.getLogger(EventJournal.class);
    static final String FILE_NAME = "node-lifecycle-events.journal";
    /**
     * Shortest time between the starts of two {@code fsync}s. Forcing continuously meant hundreds of {@code fsync}s (and
     * filesystem journal commits) a second while events flow, whose work competes for the CPU with {@code emit}'s
     * callers. Real time, not an injected clock: it paces the disk, and a test's stopped clock must not stop durability.
     */
    static final java.time.Duration GROUP_COMMIT_INTERVAL = java.time.Duration.ofMillis(10);
    /**
     * How long after its last {@code fsync} the syncer looks for new lines every {@link #GROUP_COMMIT_INTERVAL} before it
     * sleeps until an append wakes it. While lines flow, {@link #append} wakes no thread: a woken thread preempts the
     * caller (on two cores that was {@code emit}'s p99).
     */
    static final java.time.Duration ACTIVE_WINDOW = java.time.Duration.ofSeconds(1);

    private final Path file;
    private final boolean fsync;
    private final FileChannel channel;
    private final FileLock lock;
    private final Set<Integer> warnedLines = new HashSet<>();
    /** Group commit: lines written, and (below) lines known to be on disk; {@link #awaitSynced} waits on the lock. */
    private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();

    private final Object syncLock = new Object();
    private volatile long synced;
    /** The syncer looks for new lines every {@link #GROUP_COMMIT_INTERVAL}, sleeps after {@link #ACTIVE_WINDOW}. */
    private final PollWhileBusy idle = new PollWhileBusy(GROUP_COMMIT_INTERVAL, ACTIVE_WINDOW);
    /** Syncer thread: when its last {@code fsync} started. */
    private long lastForceNanos;

    private volatile boolean closing;
    private Thread syncer;

    /** One journaled event. */
    record Entry(long seq, NodeCloudEvent event) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(
            Long seq,
            Long ack,
            String id,
            String source,
            String type,
            String subject,
            Instant time,
            String dataSchema,
            String data) {}

    private EventJournal(Path file, boolean fsync, FileChannel channel, FileLock lock) {
        this.file = file;
        this.fsync = fsync;
        this.channel = channel;
        this.lock = lock;
        if (fsync) {
            syncer = new Thread(this::syncLoop, "talos-burst-event-journal-sync");
            syncer.setDaemon(true);
            syncer.start();
        }
    }

    /** One chunk of a forward read: the entries and the file position after the last line consumed. */
    record Chunk(List<Entry> entries, long nextPosition) {}

    /** Opens (creating if needed) the journal in {@code dir}; fails with the path when the directory is unusable or in use. */
    static EventJournal open(Path dir, boolean fsync) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            FileChannel ch = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
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
            throw new UncheckedIOException(
                    "cannot open the event journal in " + dir + "; make it a writable directory or unset the journal",
                    e);
        }
    }

    /**
     * Appends an event: in the file on return (a killed process loses nothing), on disk within one group commit when
     * fsync is on (the caller never waits for the disk).
     */
    void append(long seq, NodeCloudEvent e) throws IOException {
        byte[] json = EventJson.write(new Line(
                seq,
                null,
                e.id(),
                e.source(),
                e.type(),
                e.subject(),
                e.time(),
                e.dataSchema(),
                new String(e.data(), StandardCharsets.UTF_8)));
        synchronized (this) {
            writeBytes(json);
        }
        if (fsync) {
            written.incrementAndGet(); // lock-free: a syncer preempted while holding a lock would stall the caller
            idle.wakeIfAsleep(); // only a sleeping syncer: a thread woken from here preempts the caller
        }
    }

    /** Appended lines not yet known to be on disk (0 without fsync: nothing is forced then). */
    long syncedLag() {
        return fsync ? written.get() - synced : 0;
    }

    /** Waits until every line appended so far is on disk (at most {@code timeoutMillis}); true when it is. */
    boolean awaitSynced(long timeoutMillis) throws InterruptedException {
        if (!fsync) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        synchronized (syncLock) {
            long target = written.get();
            while (synced < target && syncer.isAlive()) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                syncLock.wait(left);
            }
            return synced >= target;
        }
    }

    /** The group commit: forces the file whenever lines were written since the last force; never holds the append lock. */
    private void syncLoop() {
        boolean failing = false;
        lastForceNanos = System.nanoTime() - GROUP_COMMIT_INTERVAL.toNanos();
        while (true) {
            idle.await(() -> written.get() != synced || closing, () -> lastForceNanos, Long.MAX_VALUE);
            if (Thread.interrupted()) {
                return;
            }
            if (written.get() == synced) {
                return; // closing and everything is on disk
            }
            long wait = GROUP_COMMIT_INTERVAL.toNanos() - (System.nanoTime() - lastForceNanos);
            if (wait > 0 && !closing) {
                LockSupport.parkNanos(wait); // lines written meanwhile join this fsync
            }
            long target = written.get();
            lastForceNanos = System.nanoTime();
            try {
                channel.force(false);
                if (failing) {
                    failing = false;
                    LOG.infof("event journal %s is forced to disk again", file);
                }
                synced = Math.max(synced, target);
                synchronized (syncLock) {
                    syncLock.notifyAll();
                }
            } catch (IOException | RuntimeException e) {
                if (!channel.isOpen()) {
                    return;
                }
                if (!failing) {
                    failing = true;
                    // The lines are written (a killed process loses nothing); only a machine crash could lose them.
                    LOG.errorf("cannot force event journal %s to disk (%s); retrying every second", file, e.toString());
                }
                LockSupport.parkNanos(1_000_000_000L);
                if (Thread.interrupted()) {
                    return;
                }
            }
        }
    }

    /** Records that Kafka acknowledged {@code seq} (not forced: a lost ack only causes a harmless re-publish). */
    synchronized void acknowledge(long seq) throws IOException {
        acknowledge(List.of(seq));
    }

    /** Records several acknowledgements in one write (not forced either). */
    void acknowledge(List<Long> seqs) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(seqs.size() * 16);
        for (long seq : seqs) {
            out.writeBytes(EventJson.write(new Line(null, seq, null, null, null, null, null, null, null)));
            out.write('\n');
        }
        byte[] bytes = out.toByteArray();
        synchronized (this) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        }
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
     * Reads forward from byte {@code position}: event lines with {@code afterSeq < seq <= uptoSeq} whose seq is not in
     * {@code skip}, in file order, at most {@code max}; acknowledgement lines are passed over, and the read stops before
     * the first line past {@code uptoSeq} (an event being handed to the backlog meanwhile). Only complete lines are consumed, so a
     * line being appended meanwhile is read next time. Lets the backlog re-read what waited in the journal only without
     * re-reading the whole file each time (which made draining a large backlog quadratic).
     */
    Chunk readFrom(long position, long afterSeq, long uptoSeq, int max, Set<Long> skip) throws IOException {
        List<Entry> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream(2048);
        long pos = position;
        long consumed = position;
        boolean past = false;
        while (out.size() < max && !past) {
            buf.clear();
            int n = channel.read(buf, pos);
            if (n <= 0) {
                break;
            }
            pos += n;
            byte[] a = buf.array();
            int start = 0;
            for (int i = 0; i < n && out.size() < max; i++) {
                if (a[i] != '\n') {
                    continue;
                }
                line.write(a, start, i - start);
                byte[] bytes = line.toByteArray();
                line.reset();
                start = i + 1;
                if (bytes.length == 0) {
                    consumed += 1;
                    continue;
                }
                try {
                    Line l = EventJson.mapper().readValue(bytes, Line.class);
                    if (l.seq() != null && l.seq() > uptoSeq) {
                        past = true; // not consumed: read again once it is in the backlog
                        break;
                    }
                    consumed += bytes.length + 1;
                    if (l.seq() != null && l.seq() > afterSeq && !skip.contains(l.seq())) {
                        out.add(new Entry(l.seq(), toEvent(l)));
                    }
                } catch (IOException e) {
                    LOG.warnf(
                            "skipping an unreadable line at byte %d of event journal %s (%s)",
                            consumed, file, e.getClass().getSimpleName());
                    consumed += bytes.length + 1;
                }
            }
            if (out.size() >= max || past) {
                break;
            }
            line.write(a, start, n - start); // an incomplete line: continued by the next read, or left for later
        }
        return new Chunk(out, consumed);
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
            if (l.seq() != null
                    && l.seq() > afterSeq
                    && acked.contains(l.seq()) == wantAcknowledged
                    && out.size() < max) {
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
        return NodeCloudEvent.fromHeaders(
                        Map.of(
                                "ce_id",
                                l.id(),
                                "ce_source",
                                l.source(),
                                "ce_type",
                                l.type(),
                                "ce_subject",
                                l.subject(),
                                "ce_time",
                                l.time().toString()),
                        l.data().getBytes(StandardCharsets.UTF_8))
                .withDataSchema(l.dataSchema());
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
                        LOG.warnf(
                                "skipping unreadable line %d of event journal %s (%s)",
                                n, file, e.getClass().getSimpleName());
                    }
                }
            }
        }
        return lines;
    }

    private void writeBytes(byte[] json) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(json.length + 1);
        buf.put(json).put((byte) '\n').flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /** Forces what is written to disk (waiting for the group commit), then releases the lock and closes the file. */
    @Override
    public void close() throws IOException {
        if (syncer != null) {
            closing = true;
            LockSupport.unpark(syncer);
            try {
                syncer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
