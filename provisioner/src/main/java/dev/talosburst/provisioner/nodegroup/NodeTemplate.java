package dev.talosburst.provisioner.nodegroup;

import dev.talosburst.provisioner.pool.Taint;
import java.util.List;
import java.util.Map;

/**
 * What a new node of a group will look like once it registers: labels, taints, capacity and allocatable.
 *
 * @param architecture Kubernetes name: {@code amd64} or {@code arm64}
 */
public record NodeTemplate(
        String groupId,
        String serverType,
        String architecture,
        Map<String, String> labels,
        List<Taint> taints,
        Resources capacity,
        Resources allocatable) {

    public NodeTemplate {
        labels = Map.copyOf(labels);
        taints = List.copyOf(taints);
    }

    /** Node resources in Kubernetes units. */
    public record Resources(long milliCpu, long memoryBytes, long ephemeralStorageBytes, int pods) {}
}
