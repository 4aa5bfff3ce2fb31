package dev.talosburst.autoscaler.grpc;

import dev.talosburst.proto.k8s.core.v1.Container;
import dev.talosburst.proto.k8s.core.v1.Pod;
import dev.talosburst.proto.k8s.resource.Quantity;
import dev.talosburst.provisioner.nodegroup.PodRequests;
import java.util.Map;

/**
 * A pod's effective CPU and memory requests, as the scheduler counts them: the sum over containers, at least
 * the largest init container (they run one at a time, before the others), plus the pod overhead; and the node it is
 * bound to, if any.
 */
public final class PodRequestsReader {

    private PodRequestsReader() {}

    /** The pod's requests; {@link IllegalArgumentException} naming the container when a quantity is malformed. */
    public static PodRequests read(Pod pod) {
        long cpu = 0;
        long memory = 0;
        for (Container container : pod.getSpec().getContainersList()) {
            Map<String, Quantity> requests = container.getResources().getRequestsMap();
            cpu += milliCpu(requests, "container " + container.getName());
            memory += memory(requests, "container " + container.getName());
        }
        for (Container init : pod.getSpec().getInitContainersList()) {
            Map<String, Quantity> requests = init.getResources().getRequestsMap();
            cpu = Math.max(cpu, milliCpu(requests, "init container " + init.getName()));
            memory = Math.max(memory, memory(requests, "init container " + init.getName()));
        }
        Map<String, Quantity> overhead = pod.getSpec().getOverheadMap();
        cpu += milliCpu(overhead, "pod overhead");
        memory += memory(overhead, "pod overhead");
        return new PodRequests(cpu, memory, pod.getSpec().getNodeName());
    }

    private static long milliCpu(Map<String, Quantity> resources, String where) {
        Quantity quantity = resources.get("cpu");
        return quantity == null ? 0 : read(quantity, where, "cpu", true);
    }

    private static long memory(Map<String, Quantity> resources, String where) {
        Quantity quantity = resources.get("memory");
        return quantity == null ? 0 : read(quantity, where, "memory", false);
    }

    private static long read(Quantity quantity, String where, String resource, boolean milli) {
        try {
            long value = milli
                    ? KubernetesQuantity.milliValue(quantity.getString())
                    : KubernetesQuantity.value(quantity.getString());
            if (value < 0) {
                throw new IllegalArgumentException("'" + quantity.getString() + "' is negative");
            }
            return value;
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("pod " + where + ": " + resource + " request " + e.getMessage(), e);
        }
    }
}
