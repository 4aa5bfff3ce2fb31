package dev.talosburst.billing;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The billing service's memory across restarts: every event it accounted, one JSON line each, written (and fsync'd)
 * before the Kafka offset is committed. On start the ledger is rebuilt from it; events Kafka delivers again (offsets
 * not yet committed at a crash) are then recognised by id and not counted twice. A torn last line is skipped.
 */
final class UsageStore implements Closeable {

    static final String FILE_NAME = "accounted-events.jsonl";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(String id, String source, String type, String subject, Instant time, String dataSchema, String data) {}

    private final Path file;
    private final FileChannel channel;

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

    /** Calls {@code into} with every event stored so far, oldest first. */
    void load(Consumer<NodeCloudEvent> into) {
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
        byte[] json = EventJson.write(new Line(
                e.id(),
                e.source(),
                e.type(),
                e.subject(),
                e.time(),
                e.dataSchema(),
                new String(e.data(), StandardCharsets.UTF_8)));
        ByteBuffer buf =
                ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
