package dev.talosburst.billing;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.talosburst.events.ledger.PoolDayUsage;
import dev.talosburst.events.model.EventJson;
import dev.talosburst.events.model.NodeCloudEvent;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The billing service's memory across restarts: every event it accounted, one JSON line each, written (and fsync'd)
 * before the Kafka offset is committed. On start the ledger is rebuilt from it; events Kafka delivers again (offsets
 * not yet committed at a crash) are then recognised by id and not counted twice. A torn last line is skipped. Events
 * older than the retention window are compacted into an {@link Archive} line by {@link #rewrite}.
 */
final class UsageStore implements Closeable {

    static final String FILE_NAME = "accounted-events.jsonl";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(
            String id,
            String source,
            String type,
            String subject,
            Instant time,
            String dataSchema,
            String data,
            Archive archive) {}

    /**
     * What pruned events added up to (first line of a compacted file): their number and node-hours and cost per pool
     * and currency (day null), so totals survive pruning.
     */
    record Archive(long events, List<PoolDayUsage> totals) {}

    private final Path file;
    private FileChannel channel;

    private UsageStore(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /** Opens (creating) the store in {@code dir}; fails naming the directory and the option when it is unusable. */
    static UsageStore open(Path dir) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve(FILE_NAME);
            FileChannel ch = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
            ch.position(ch.size());
            return new UsageStore(file, ch);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot open the billing store in " + dir + " (talosburst.billing.data-dir): " + e.getMessage(), e);
        }
    }

    /** Calls {@code archive} with the archive line (if any) and {@code into} with every event stored, oldest first. */
    void load(Consumer<Archive> archive, Consumer<NodeCloudEvent> into) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Line l;
                try {
                    l = EventJson.read(line.getBytes(StandardCharsets.UTF_8), Line.class);
                } catch (UncheckedIOException torn) {
                    continue; // the last line of a crash, never acknowledged: Kafka delivers that event again
                }
                if (l.archive() != null) {
                    archive.accept(l.archive());
                    continue;
                }
                Map<String, String> h = new LinkedHashMap<>();
                h.put("ce_id", l.id());
                h.put("ce_source", l.source());
                h.put("ce_type", l.type());
                h.put("ce_subject", l.subject());
                h.put("ce_time", l.time().toString());
                if (l.dataSchema() != null) {
                    h.put("ce_dataschema", l.dataSchema());
                }
                into.accept(NodeCloudEvent.fromHeaders(h, l.data().getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the billing store " + file + ": " + e.getMessage(), e);
        }
    }

    /** Appends {@code e} durably. */
    void append(NodeCloudEvent e) throws IOException {
        write(channel, line(e));
        channel.force(false);
    }

    /**
     * Replaces the file by {@code archive} and {@code events} atomically: a new file is written and fsync'd, then
     * renamed over the old one (a crash leaves either the old or the new file, never a mix).
     */
    void rewrite(Archive archive, List<NodeCloudEvent> events) throws IOException {
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (FileChannel out = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            write(out, new Line(null, null, null, null, null, null, null, archive));
            for (NodeCloudEvent e : events) {
                write(out, line(e));
            }
            out.force(true);
        }
        channel.close();
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself is durable
        } catch (IOException notSupported) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
        channel.position(channel.size());
    }

    private static Line line(NodeCloudEvent e) {
        return new Line(
                e.id(),
                e.source(),
                e.type(),
                e.subject(),
                e.time(),
                e.dataSchema(),
                new String(e.data(), StandardCharsets.UTF_8),
                null);
    }

    private static void write(FileChannel to, Line line) throws IOException {
        byte[] json = EventJson.write(line);
        ByteBuffer buf =
                ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        while (buf.hasRemaining()) {
            to.write(buf);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
