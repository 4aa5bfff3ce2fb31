package dev.talosburst.demo;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.ExternalGrpcNode;
import dev.talosburst.proto.externalgrpc.Instance;
import dev.talosburst.proto.externalgrpc.InstanceStatus;
import dev.talosburst.proto.externalgrpc.NodeGroup;
import dev.talosburst.proto.externalgrpc.NodeGroupDeleteNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupForNodeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.proto.externalgrpc.PricingNodePriceRequest;
import dev.talosburst.proto.externalgrpc.RefreshRequest;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A scripted STAND-IN for cluster-autoscaler (it is not cluster-autoscaler): it makes the externalgrpc calls CA makes,
 * over real gRPC, in CA's order. Every loop: Refresh, NodeGroups, NodeGroupTargetSize and NodeGroupNodes per group,
 * NodeGroupForNode per Node. For pending pods it asks NodeGroupTemplateNodeInfo and PricingNodePrice of every group and
 * picks the cheapest option that fits (as CA's {@code price} expander does), then NodeGroupIncreaseSize. Once the new
 * nodes are Ready and their pods have run, it finds them unneeded and calls NodeGroupDeleteNodes with the Nodes.
 */
public final class StandInClusterAutoscaler implements AutoCloseable {

    private static final Duration LOOP = Duration.ofMillis(500);

    private final ManagedChannel channel;
    private final CloudProviderGrpc.CloudProviderBlockingStub ca;
    private final KubernetesClient kube;
    private final Consumer<String> timeline;

    /** Connects (plaintext) to talos-burst's gRPC endpoint on {@code host:port}. */
    public StandInClusterAutoscaler(String host, int port, KubernetesClient kube, Consumer<String> timeline) {
        this.channel = NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
        this.ca = CloudProviderGrpc.newBlockingStub(channel);
        this.kube = kube;
        this.timeline = timeline;
    }

    private CloudProviderGrpc.CloudProviderBlockingStub ca() {
        return ca.withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    /** What one loop saw of one group. */
    record GroupState(NodeGroup group, int target, List<Instance> instances) {}

    /** A scale-up option: {@code nodes} of {@code group} at {@code hourlyPrice} each. */
    record Option(String group, String serverType, int nodes, double hourlyPrice) {
        double cost() {
            return nodes * hourlyPrice;
        }
    }

    /** One CA loop: Refresh, NodeGroups, NodeGroupTargetSize + NodeGroupNodes per group, NodeGroupForNode per Node. */
    Map<String, GroupState> loop() {
        ca().refresh(RefreshRequest.getDefaultInstance());
        Map<String, GroupState> out = new TreeMap<>();
        for (NodeGroup g :
                ca().nodeGroups(NodeGroupsRequest.getDefaultInstance()).getNodeGroupsList()) {
            int target = ca().nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder()
                            .setId(g.getId())
                            .build())
                    .getTargetSize();
            List<Instance> instances = ca().nodeGroupNodes(
                            NodeGroupNodesRequest.newBuilder().setId(g.getId()).build())
                    .getInstancesList();
            out.put(g.getId(), new GroupState(g, target, instances));
        }
        for (Node n : kube.nodes().list().getItems()) {
            ca().nodeGroupForNode(NodeGroupForNodeRequest.newBuilder()
                    .setNode(grpcNode(n))
                    .build());
        }
        return out;
    }

    /**
     * Scales up for the workloads, waits until every new node is Ready, lets the pods run for {@code work}, waits the
     * unneeded time, deletes the nodes and waits until the groups are empty. Fails with {@link DemoFailure} on a timeout.
     */
    public void burst(List<Workload> workloads, Duration work, Duration unneeded, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, GroupState> groups = loop();
        timeline.accept("stand-in CA: node groups "
                + groups.values().stream()
                        .map(s -> s.group().getId() + " (" + s.group().getMinSize() + ".."
                                + s.group().getMaxSize() + ")")
                        .collect(Collectors.joining(", ")));
        Map<String, Integer> increase = new LinkedHashMap<>();
        for (Workload w : workloads) {
            Option best = choose(w, groups, increase);
            increase.merge(best.group(), best.nodes(), Integer::sum);
        }
        Map<String, Integer> targets = new LinkedHashMap<>();
        increase.forEach((group, delta) -> {
            int before = groups.get(group).target();
            ca().nodeGroupIncreaseSize(NodeGroupIncreaseSizeRequest.newBuilder()
                    .setId(group)
                    .setDelta(delta)
                    .build());
            int after = ca().nodeGroupTargetSize(
                            NodeGroupTargetSizeRequest.newBuilder().setId(group).build())
                    .getTargetSize();
            timeline.accept("stand-in CA: NodeGroupIncreaseSize " + group + " +" + delta + " (target size " + before
                    + " -> " + after + ")");
            targets.put(group, after);
        });

        Map<String, Node> ready = awaitReady(targets, deadline);
        timeline.accept("stand-in CA: all " + ready.size()
                + " new nodes Ready with providerIDs; pending pods scheduled onto them");
        sleepLooping(work);
        timeline.accept("stand-in CA: the pods finished; " + ready.size() + " nodes are empty, unneeded for "
                + unneeded.toSeconds() + " s (CA's --scale-down-unneeded-time)");
        sleepLooping(unneeded);
        for (String group : targets.keySet()) {
            List<Node> nodes = ready.values().stream()
                    .filter(n -> group.equals(groupOf(n)))
                    .toList();
            timeline.accept("stand-in CA: NodeGroupDeleteNodes " + group + " "
                    + nodes.stream().map(n -> n.getMetadata().getName()).toList());
            ca().nodeGroupDeleteNodes(NodeGroupDeleteNodesRequest.newBuilder()
                    .setId(group)
                    .addAllNodes(nodes.stream()
                            .map(StandInClusterAutoscaler::grpcNode)
                            .toList())
                    .build());
        }
        awaitEmpty(targets.keySet(), deadline);
        timeline.accept("stand-in CA: node groups " + targets.keySet() + " are back to 0 instances");
    }

    private Option choose(Workload w, Map<String, GroupState> groups, Map<String, Integer> alreadyIncreased) {
        List<Option> options = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (GroupState g : groups.values()) {
            String id = g.group().getId();
            dev.talosburst.proto.k8s.core.v1.Node template = template(id);
            Map<String, String> labels = template.getMetadata().getLabelsMap();
            if (w.architecture() != null && !w.architecture().equals(labels.get("kubernetes.io/arch"))) {
                rejected.add(id + " (" + labels.get("kubernetes.io/arch") + ")");
                continue;
            }
            long allocatable =
                    milliCpu(template.getStatus().getAllocatableMap().get("cpu").getString());
            int perNode = (int) (allocatable / w.milliCpu());
            if (perNode < 1) {
                rejected.add(id + " (too small)");
                continue;
            }
            int nodes = (w.pods() + perNode - 1) / perNode;
            int room = g.group().getMaxSize() - g.target() - alreadyIncreased.getOrDefault(id, 0);
            if (nodes > room) {
                rejected.add(id + " (max size)");
                continue;
            }
            double price = ca().pricingNodePrice(PricingNodePriceRequest.newBuilder()
                            .setNode(ExternalGrpcNode.newBuilder()
                                    .setName(template.getMetadata().getName())
                                    .putAllLabels(labels))
                            .setStartTimestamp(ts(Instant.now()))
                            .setEndTimestamp(ts(Instant.now().plus(Duration.ofHours(1))))
                            .build())
                    .getPrice();
            options.add(new Option(id, labels.get("node.kubernetes.io/instance-type"), nodes, price));
        }
        if (options.isEmpty()) {
            throw new DemoFailure("stand-in CA: no node group fits " + w.describe() + "; rejected " + rejected);
        }
        options.sort((a, b) -> Double.compare(a.cost(), b.cost()));
        Option best = options.get(0);
        timeline.accept("stand-in CA: " + w.describe() + " pending; options (PricingNodePrice): "
                + options.stream()
                        .map(o -> String.format(
                                Locale.ROOT,
                                "%s %d × €%.4f/h = €%.4f/h",
                                o.group(),
                                o.nodes(),
                                o.hourlyPrice(),
                                o.cost()))
                        .collect(Collectors.joining(", "))
                + (rejected.isEmpty() ? "" : "; not fitting: " + String.join(", ", rejected))
                + " -> cheapest: " + best.nodes() + " × " + best.serverType() + " in " + best.group());
        return best;
    }

    private dev.talosburst.proto.k8s.core.v1.Node template(String group) {
        try {
            return dev.talosburst.proto.k8s.core.v1.Node.parseFrom(
                    ca().nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest.newBuilder()
                                    .setId(group)
                                    .build())
                            .getNodeBytes());
        } catch (InvalidProtocolBufferException e) {
            throw new DemoFailure(
                    "NodeGroupTemplateNodeInfo of " + group + " is not a Kubernetes Node: " + e.getMessage());
        }
    }

    /** Loops until every group has its target of running instances whose Nodes are Ready and carry the providerID. */
    private Map<String, Node> awaitReady(Map<String, Integer> targets, long deadline) throws InterruptedException {
        Set<String> announced = new java.util.HashSet<>();
        while (true) {
            Map<String, GroupState> groups = loop();
            Map<String, Node> byProviderId = new LinkedHashMap<>();
            for (Node n : kube.nodes().list().getItems()) {
                if (n.getSpec() != null
                        && n.getSpec().getProviderID() != null
                        && !n.getSpec().getProviderID().isEmpty()) {
                    byProviderId.put(n.getSpec().getProviderID(), n);
                }
            }
            Map<String, Node> ready = new LinkedHashMap<>();
            int expected = 0;
            for (var e : targets.entrySet()) {
                expected += e.getValue();
                for (Instance i : groups.get(e.getKey()).instances()) {
                    boolean running = i.getStatus().getInstanceState() == InstanceStatus.InstanceState.instanceRunning;
                    if (running && i.getId().startsWith("hcloud://") && announced.add(i.getId())) {
                        timeline.accept(
                                "stand-in CA: NodeGroupNodes " + e.getKey() + " lists " + i.getId() + " as running");
                    }
                    Node n = byProviderId.get(i.getId());
                    if (running && n != null && isReady(n)) {
                        ready.put(i.getId(), n);
                    }
                }
            }
            if (ready.size() == expected) {
                return ready;
            }
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("stand-in CA: only " + ready.size() + " of " + expected
                        + " new nodes became Ready with a providerID in time");
            }
            Thread.sleep(LOOP.toMillis());
        }
    }

    private void awaitEmpty(Set<String> groupIds, long deadline) throws InterruptedException {
        while (true) {
            Map<String, GroupState> groups = loop();
            boolean empty = groupIds.stream()
                    .allMatch(g ->
                            groups.get(g).instances().isEmpty() && groups.get(g).target() == 0);
            if (empty) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new DemoFailure("stand-in CA: node groups " + groupIds
                        + " still list instances after NodeGroupDeleteNodes: "
                        + groupIds.stream()
                                .map(g -> g + "=" + groups.get(g).instances().size() + "/target "
                                        + groups.get(g).target())
                                .toList());
            }
            Thread.sleep(LOOP.toMillis());
        }
    }

    private void sleepLooping(Duration d) throws InterruptedException {
        long until = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < until) {
            loop();
            Thread.sleep(Math.min(LOOP.toMillis(), Math.max(1, (until - System.nanoTime()) / 1_000_000)));
        }
    }

    private static String groupOf(Node n) {
        return n.getMetadata().getLabels() == null
                ? null
                : n.getMetadata().getLabels().get(SimulatedKubelets.POOL_LABEL);
    }

    private static boolean isReady(Node n) {
        return n.getStatus() != null
                && n.getStatus().getConditions() != null
                && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** A Node as CA sends it over externalgrpc: providerID, name, labels, annotations. */
    static ExternalGrpcNode grpcNode(Node n) {
        ExternalGrpcNode.Builder b =
                ExternalGrpcNode.newBuilder().setName(n.getMetadata().getName());
        if (n.getSpec() != null && n.getSpec().getProviderID() != null) {
            b.setProviderID(n.getSpec().getProviderID());
        }
        if (n.getMetadata().getLabels() != null) {
            b.putAllLabels(n.getMetadata().getLabels());
        }
        if (n.getMetadata().getAnnotations() != null) {
            b.putAllAnnotations(n.getMetadata().getAnnotations());
        }
        return b.build();
    }

    private static long milliCpu(String quantity) {
        BigDecimal cores = Quantity.getAmountInBytes(new Quantity(Objects.requireNonNull(quantity, "cpu")));
        return cores.multiply(BigDecimal.valueOf(1000))
                .setScale(0, RoundingMode.DOWN)
                .longValueExact();
    }

    private static Timestamp ts(Instant i) {
        return Timestamp.newBuilder()
                .setSeconds(i.getEpochSecond())
                .setNanos(i.getNano())
                .build();
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
