package dev.talosburst.autoscaler.config;

import dev.talosburst.provisioner.engine.PoolValidation;
import dev.talosburst.provisioner.pool.AutoscalingOverrides;
import dev.talosburst.provisioner.pool.ImageSelector;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns {@code talosburst.pools.*} into domain {@link NodePool}s, collecting every problem with the option
 * that causes it instead of stopping at the first.
 */
public final class PoolDefinitions {

    /** The pools, or the problems that prevent them (never both non-empty). */
    public record Result(List<NodePool> pools, List<String> problems) {}

    private PoolDefinitions() {}

    /** Converts and validates every pool, in id order. */
    public static Result from(Map<String, TalosBurstConfig.Pool> config) {
        List<NodePool> pools = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (config.isEmpty()) {
            problems.add("talosburst.pools: no node pool is configured; define at least one, e.g. "
                    + "talosburst.pools.burst-fsn1.server-type=cx22, .location=fsn1, .max=3 (to try talos-burst on a simulated "
                    + "Hetzner instead, run it with -Dquarkus.profile=demo)");
        }
        for (Map.Entry<String, TalosBurstConfig.Pool> entry : new TreeMap<>(config).entrySet()) {
            String prefix = "talosburst.pools." + quoted(entry.getKey());
            int before = problems.size();
            NodePool pool = toPool(entry.getKey(), entry.getValue(), prefix, problems);
            if (pool != null) {
                PoolValidation.structure(pool, prefix).forEach(problem -> problems.add(problem.text()));
            }
            if (problems.size() == before && pool != null) {
                pools.add(pool);
            }
        }
        return problems.isEmpty()
                ? new Result(List.copyOf(pools), List.of())
                : new Result(List.of(), List.copyOf(problems));
    }

    private static NodePool toPool(String id, TalosBurstConfig.Pool pool, String prefix, List<String> problems) {
        List<Taint> taints = new ArrayList<>();
        for (String text : pool.taints().orElse(List.of())) {
            try {
                taints.add(Taint.parse(text.trim()));
            } catch (IllegalArgumentException e) {
                problems.add(prefix + ".taints: " + e.getMessage());
            }
        }
        ImageSelector image = image(pool.image(), prefix, problems);
        List<String> patches = patches(pool.talosPatches().orElse(List.of()), prefix, problems);
        TalosBurstConfig.Autoscaling a = pool.autoscaling();
        AutoscalingOverrides overrides = new AutoscalingOverrides(
                a.scaleDownUtilizationThreshold().orElse(null),
                a.scaleDownGpuUtilizationThreshold().orElse(null),
                a.scaleDownUnneededTime().orElse(null),
                a.scaleDownUnreadyTime().orElse(null),
                a.maxNodeProvisionTime().orElse(null),
                a.zeroOrMaxNodeScaling().orElse(null),
                a.ignoreDaemonsetsUtilization().orElse(null));
        return new NodePool(
                id,
                pool.serverType().trim(),
                pool.location().trim(),
                pool.zone().orElse(null),
                pool.min(),
                pool.max(),
                image,
                pool.nodeLabels(),
                taints,
                pool.serverLabels(),
                pool.firewalls().orElse(List.of()),
                pool.networks().orElse(List.of()),
                pool.placementGroup().orElse(null),
                pool.publicIpv4(),
                pool.publicIpv6(),
                overrides,
                patches,
                pool.maxProvisionTime());
    }

    /**
     * Only the spelling: image.selector and image.talos-version both write the one label selector. Whether the image
     * choice is valid (id and selector exclusive, id positive) is the pool's own rule ({@code ImageSelector#problems}).
     */
    private static ImageSelector image(TalosBurstConfig.Image image, String prefix, List<String> problems) {
        Long id = image.id().isPresent() ? image.id().getAsLong() : null;
        Optional<String> fromVersion =
                image.talosVersion().map(v -> ImageSelector.talos(v).labelSelector());
        if (image.selector().isPresent() && fromVersion.isPresent() && id == null) {
            // With an id set too, the pool's own rule reports this same conflict; say it once.
            problems.add(prefix + ".image: set only one of image.id, image.selector and image.talos-version");
        }
        String selector =
                image.selector().map(String::trim).or(() -> fromVersion).orElse(null);
        return new ImageSelector(id, selector);
    }

    private static List<String> patches(List<String> entries, String prefix, List<String> problems) {
        List<String> patches = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            if (!entry.startsWith("@")) {
                patches.add(entry);
                continue;
            }
            Path file = Path.of(entry.substring(1).trim());
            try {
                patches.add(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                String why = e instanceof java.nio.file.NoSuchFileException
                        ? "no such file"
                        : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : "unreadable";
                problems.add(prefix + ".talos-patches[" + i + "]: cannot read patch file " + file + " (" + why
                        + "); give a readable YAML file or inline YAML");
            }
        }
        return patches;
    }

    private static String quoted(String key) {
        return key.contains(".") ? "\"" + key + "\"" : key;
    }
}
