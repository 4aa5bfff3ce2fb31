package dev.talosburst.provisioner.talos;

import dev.talosburst.provisioner.engine.UserDataSource;
import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node-group engine's {@link UserDataSource} backed by the cluster's Talos worker config: every server gets
 * its own rendered worker config, and {@link #check} fails a pool at start-up the way its first scale-up would.
 */
public final class WorkerConfigUserData implements UserDataSource {

    private final WorkerConfigRenderer renderer;

    public WorkerConfigUserData(WorkerConfigRenderer renderer) {
        this.renderer = renderer;
    }

    /**
     * Loads the worker config and prepares rendering.
     *
     * @param talosVersion the operator's talos-version, replacing detection when present
     * @param schemaDirectory the Talos JSON Schemas, when rendered configs should be validated against them
     */
    public static WorkerConfigUserData load(Path workerConfig, Optional<TalosVersion> talosVersion,
            Optional<Path> schemaDirectory) {
        return new WorkerConfigUserData(new WorkerConfigRenderer(WorkerConfig.load(workerConfig, talosVersion),
                schemaDirectory));
    }

    /** The renderer, for start-up logging of the version and accepted schema findings. */
    public WorkerConfigRenderer renderer() {
        return renderer;
    }

    @Override
    public String render(NodePool pool, String serverName, Map<String, String> nodeLabels, List<Taint> taints) {
        try {
            return renderer.render(new NodeCustomization(pool.id(), serverName, nodeLabels, taints,
                    pool.talosPatches())).text();
        } catch (WorkerConfigException e) {
            throw new UserDataException(e.getMessage()); // safe: WorkerConfigException never carries config values
        }
    }

    @Override
    public List<String> check(NodePool pool, Map<String, String> nodeLabels) {
        try {
            renderer.checkPool(pool.id(), nodeLabels, pool.taints(), pool.talosPatches());
            return List.of();
        } catch (WorkerConfigException e) {
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
