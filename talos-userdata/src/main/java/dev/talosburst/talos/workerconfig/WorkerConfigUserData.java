package dev.talosburst.talos.workerconfig;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import dev.talosburst.provisioner.userdata.UserDataSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The node-group engine's {@link UserDataSource} backed by the cluster's Talos worker config: every server gets
 * its own rendered worker config, and {@link #check} fails a pool at start-up the way its first scale-up would.
 */
public final class WorkerConfigUserData implements UserDataSource {

    private static final Logger LOG = Logger.getLogger(WorkerConfigUserData.class);
    private static final String VERSION_OPTION = "talosburst.talos.talos-version";

    private final WorkerConfigRenderer renderer;
    /** Pools whose snapshot runs another Talos version than the config's own detection: rendered for that version. */
    private final Map<String, WorkerConfigRenderer> byPool = new ConcurrentHashMap<>();

    private volatile boolean bootedVersionsKnown;

    public WorkerConfigUserData(WorkerConfigRenderer renderer) {
        this.renderer = renderer;
    }

    /**
     * Loads the worker config and prepares rendering.
     *
     * @param talosVersion the operator's talos-version, replacing detection when present
     * @param schemaDirectory the Talos JSON Schemas, when rendered configs should be validated against them
     */
    public static WorkerConfigUserData load(
            Path workerConfig, Optional<TalosVersion> talosVersion, Optional<Path> schemaDirectory) {
        return new WorkerConfigUserData(
                new WorkerConfigRenderer(WorkerConfig.load(workerConfig, talosVersion), schemaDirectory));
    }

    /** The renderer, for start-up logging of the version and accepted schema findings. */
    public WorkerConfigRenderer renderer() {
        return renderer;
    }

    /** The renderer a pool's servers get (the config's own version until the booted versions are known). */
    public WorkerConfigRenderer rendererFor(String poolId) {
        return byPool.getOrDefault(poolId, renderer);
    }

    @Override
    public List<String> bootedVersions(Map<String, Optional<String>> versionLabelByPool) {
        WorkerConfig config = renderer.config();
        List<String> problems = new ArrayList<>();
        versionLabelByPool.forEach((poolId, label) -> {
            Optional<TalosVersion> booted = label.flatMap(WorkerConfigUserData::parse);
            String image = "talosburst.pools." + poolId + ".image";
            if (booted.isEmpty()) {
                if (!config.versionCertain()) {
                    LOG.warnf(
                            "pool %s: its image carries no Talos version label, and the worker config does not pin one (%s); "
                                    + "rendering for Talos %s, the oldest it allows. Set %s to the version the pool's snapshot runs",
                            poolId, config.versionExplanation(), config.talosVersion(), VERSION_OPTION);
                }
                return;
            }
            TalosVersion b = booted.get();
            if (config.versionConfigured()) {
                if (b.compareTo(config.talosVersion()) < 0) {
                    problems.add(image + ": the pool boots a Talos " + label.get() + " snapshot, but " + VERSION_OPTION
                            + " is "
                            + config.talosVersion() + " and Talos " + b
                            + " cannot read a config made for a newer Talos; boot a "
                            + config.talosVersion() + " snapshot (image.talos-version) or set " + VERSION_OPTION
                            + " to " + b
                            + " with a worker config generated for it (talosctl gen config --talos-version v" + b
                            + ")");
                } else if (b.compareTo(config.talosVersion()) > 0) {
                    LOG.warnf(
                            "pool %s boots a Talos %s snapshot while %s is %s: rendering for %s as configured (Talos reads "
                                    + "configs of older versions); check the setting",
                            poolId, label.get(), VERSION_OPTION, config.talosVersion(), config.talosVersion());
                }
                return;
            }
            if (b.compareTo(config.oldestReader()) < 0) {
                problems.add(image + ": the pool boots a Talos " + label.get() + " snapshot, but the worker config "
                        + config.source() + " needs Talos " + config.oldestReader() + " or newer ("
                        + config.versionExplanation()
                        + "); boot a newer snapshot (image.talos-version) or regenerate the worker config with talosctl gen "
                        + "config --talos-version v" + b);
                return;
            }
            TalosVersion target =
                    config.newestPossible().filter(n -> n.compareTo(b) < 0).orElse(b);
            String why = "pool " + poolId + " boots a Talos " + label.get() + " snapshot (config allows "
                    + config.oldestReader()
                    + config.newestPossible()
                            .map(n -> n.equals(config.oldestReader()) ? "" : "–" + n)
                            .orElse(" or newer")
                    + ")";
            if (!target.equals(renderer.talosVersion())) {
                byPool.put(poolId, renderer.forVersion(target, why));
            }
            LOG.infof("pool %s: worker config rendered for Talos %s: %s", poolId, target, why);
        });
        bootedVersionsKnown = true;
        return problems;
    }

    private static Optional<TalosVersion> parse(String label) {
        try {
            return Optional.of(TalosVersion.parse(label));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    @Override
    public String render(NodePool pool, String serverName, Map<String, String> nodeLabels, List<Taint> taints) {
        try {
            return rendererFor(pool.id())
                    .render(new NodeCustomization(pool.id(), serverName, nodeLabels, taints, pool.talosPatches()))
                    .text();
        } catch (WorkerConfigException e) {
            throw new UserDataException(e.getMessage()); // safe: WorkerConfigException never carries config values
        }
    }

    @Override
    public List<String> check(NodePool pool, Map<String, String> nodeLabels) {
        try {
            rendererFor(pool.id()).checkPool(pool.id(), nodeLabels, pool.taints(), pool.talosPatches());
            return List.of();
        } catch (WorkerConfigException e) {
            if (e.problem() == WorkerConfigException.Problem.TOO_LARGE
                    && !bootedVersionsKnown
                    && !renderer.config().versionCertain()) {
                // whether it fits depends on the Talos version (compression from 1.9): judged once the pool's snapshot
                // is known
                return List.of();
            }
            List<String> problems = new ArrayList<>();
            if (e.details().isEmpty()) {
                problems.add(e.summary());
            } else {
                e.details().forEach(detail -> problems.add(e.summary() + ": " + detail));
            }
            return problems;
        }
    }

    @Override
    public String toString() {
        return "WorkerConfigUserData[" + renderer + "]";
    }
}
