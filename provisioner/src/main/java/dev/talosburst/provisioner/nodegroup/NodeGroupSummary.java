package dev.talosburst.provisioner.nodegroup;

/** A node group as cluster-autoscaler sees it. */
public record NodeGroupSummary(String id, int minSize, int maxSize, String debug) {}
