package dev.talosburst.autoscaler.wiring;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import dev.talosburst.provisioner.userdata.UserDataSource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * User-data for the embedded demo run when no worker config is given: a minimal Talos-shaped document, clearly
 * marked as NOT joinable (it holds no cluster secrets), so servers in the simulator carry something inspectable.
 */
public final class DemoWorkerConfig implements UserDataSource {

    @Override
    public String render(NodePool pool, String serverName, Map<String, String> nodeLabels, List<Taint> taints) {
        StringBuilder yaml = new StringBuilder()
                .append("# talos-burst DEMO user-data: NOT a joinable Talos worker config (no cluster secrets).\n")
                .append(
                        "# Set talosburst.talos.worker-config to the output of `talosctl gen config --output-types worker`.\n")
                .append("version: v1alpha1\n")
                .append("machine:\n")
                .append("  type: worker\n")
                .append("  network:\n")
                .append("    hostname: ")
                .append(quote(serverName))
                .append('\n');
        if (!nodeLabels.isEmpty()) {
            yaml.append("  nodeLabels:\n");
            new TreeMap<>(nodeLabels)
                    .forEach((k, v) -> yaml.append("    ")
                            .append(quote(k))
                            .append(": ")
                            .append(quote(v))
                            .append('\n'));
        }
        if (!taints.isEmpty()) {
            // where a real v1alpha1 worker config carries them (the kubelet's own configuration)
            yaml.append("  kubelet:\n    extraConfig:\n      registerWithTaints:\n");
            taints.forEach(t -> {
                yaml.append("        - key: ").append(quote(t.key())).append('\n');
                if (t.value() != null && !t.value().isEmpty()) {
                    yaml.append("          value: ").append(quote(t.value())).append('\n');
                }
                yaml.append("          effect: ").append(quote(t.effect())).append('\n');
            });
        }
        return yaml.toString();
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
