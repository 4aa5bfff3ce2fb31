package dev.talosburst.provisioner.nodegroup;

/**
 * The summed resource requests of a pod (containers, max of init containers, overhead).
 *
 * @param nodeName the pod's {@code spec.nodeName}, empty when it is not bound to a node
 */
public record PodRequests(long milliCpu, long memoryBytes, String nodeName) {
    public PodRequests {
        nodeName = nodeName == null ? "" : nodeName;
    }

    /** Requests of a pod bound to no node. */
    public PodRequests(long milliCpu, long memoryBytes) {
        this(milliCpu, memoryBytes, "");
    }
}
