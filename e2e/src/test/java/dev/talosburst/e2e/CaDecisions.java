package dev.talosburst.e2e;

import dev.talosburst.e2e.harness.Timeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** cluster-autoscaler's decisions, read from its klog lines, for the scenario timelines. */
final class CaDecisions {

    /** klog header: {@code I1204 19:08:51.781427   7907 executor.go:147] message}. */
    private static final Pattern LINE =
            Pattern.compile("^[IWE](\\d{4}) (\\d{2}:\\d{2}:\\d{2}\\.\\d{6})\\s+\\d+ (\\S+)\\] (.*)$");

    private static final List<Pattern> DECISIONS = List.of(
            Pattern.compile("Scale-up: setting group .*"),
            Pattern.compile("Failed adding .* due to .*"),
            Pattern.compile("Disabling scale-up for node group \\S+"),
            Pattern.compile("Deleting \\d+ from \\S+ node group because of create errors"),
            Pattern.compile("Scale-down: removing (empty )?node \\S+"),
            Pattern.compile("Scale-down: removing \\S+ nodes .*"));
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd HH:mm:ss.SSSSSS");

    private CaDecisions() {}

    /** Notes each decision logged since {@code since} (klog timestamps are UTC here). */
    static void addTo(Timeline timeline, Path caLog, Instant since) {
        List<String> lines;
        try {
            lines = Files.readAllLines(caLog);
        } catch (IOException e) {
            return;
        }
        int year = LocalDateTime.now(ZoneOffset.UTC).getYear();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || m.group(3).startsWith("event_sink")) { // Kubernetes Events repeat the decisions
                continue;
            }
            for (Pattern p : DECISIONS) {
                Matcher d = p.matcher(m.group(4));
                if (d.find()) {
                    Instant at = LocalDateTime.parse(year + m.group(1) + " " + m.group(2), STAMP)
                            .toInstant(ZoneOffset.UTC);
                    if (!at.isBefore(since)) {
                        String text = d.group();
                        timeline.note(at, "CA: " + (text.length() > 160 ? text.substring(0, 160) + "…" : text));
                    }
                    break;
                }
            }
        }
    }
}
