package dev.talosburst.demo;

/**
 * Pending pods of one kind, as cluster-autoscaler sees them: how many, what each requests, where they may run.
 *
 * @param architecture the {@code kubernetes.io/arch} node selector, or null for any
 */
public record Workload(String name, int pods, int milliCpu, String architecture) {

    /** "6 pods × 1 vCPU" (with the node selector when there is one). */
    public String describe() {
        String cpu = milliCpu % 1000 == 0 ? (milliCpu / 1000) + " vCPU" : milliCpu + "m CPU";
        return name + ": " + pods + " pods × " + cpu
                + (architecture == null ? "" : ", nodeSelector kubernetes.io/arch=" + architecture);
    }
}
