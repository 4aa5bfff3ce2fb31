package dev.talosburst.provisioner.nodegroup;

/** The summed resource requests of a pod (containers, max of init containers, overhead). */
public record PodRequests(long milliCpu, long memoryBytes) {
}
