package dev.talosburst.autoscaler.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.talosburst.autoscaler.config.TalosBurstConfig;
import dev.talosburst.proto.externalgrpc.CleanupRequest;
import dev.talosburst.proto.externalgrpc.CleanupResponse;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.GPULabelRequest;
import dev.talosburst.proto.externalgrpc.GPULabelResponse;
import dev.talosburst.proto.externalgrpc.GetAvailableGPUTypesRequest;
import dev.talosburst.proto.externalgrpc.GetAvailableGPUTypesResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptionsRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptionsResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupDecreaseTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupDecreaseTargetSizeResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupDeleteNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupDeleteNodesResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupForNodeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupForNodeResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupIncreaseSizeResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoResponse;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsResponse;
import dev.talosburst.proto.externalgrpc.PricingNodePriceRequest;
import dev.talosburst.proto.externalgrpc.PricingNodePriceResponse;
import dev.talosburst.proto.externalgrpc.PricingPodPriceRequest;
import dev.talosburst.proto.externalgrpc.PricingPodPriceResponse;
import dev.talosburst.proto.externalgrpc.RefreshRequest;
import dev.talosburst.proto.externalgrpc.RefreshResponse;
import dev.talosburst.proto.k8s.core.v1.Pod;
import dev.talosburst.provisioner.nodegroup.AutoscalingOptions;
import dev.talosburst.provisioner.nodegroup.InstanceView;
import dev.talosburst.provisioner.nodegroup.NodeGroupSummary;
import dev.talosburst.provisioner.nodegroup.NodeGroups;
import dev.talosburst.provisioner.nodegroup.NodeRef;
import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * cluster-autoscaler's externalgrpc {@code CloudProvider}: a thin adapter from the wire to {@link NodeGroups}.
 * Every RPC answers from memory; mapping lives in the small classes beside this one.
 *
 * <p>Reads are lock-free (indexes and counters of the engine's view) and answer on the event loop, like the gRPC health
 * check. IncreaseSize does too: it changes the view in memory, O(delta), under its pool's command lock, which no
 * background work takes (never the view's lock), and does no I/O itself (its event and log line are handed off); the hop
 * to a worker thread and back was most of its latency once the service was idle between calls (BENCHMARKS.md, issue
 * 11, seventh and eighth rounds). DeleteNodes and DecreaseTargetSize may take the view's lock and publish or log on the
 * calling thread, so they are {@link Blocking} (a worker).
 */
@GrpcService
public class CloudProviderService implements CloudProviderGrpc.AsyncService, BindableService {

    private static final Logger LOG = Logger.getLogger(CloudProviderService.class);

    private final NodeGroups groups;
    private final String gpuLabel;
    private final Clock clock;
    private final RepeatedAnswers<InstanceView, NodeGroupNodesResponse> nodes =
            new RepeatedAnswers<>(NodeGroupMessages::nodesAnswer);
    private final RepeatedAnswers<NodeGroupSummary, NodeGroupsResponse> groupList =
            new RepeatedAnswers<>(NodeGroupMessages::groupsAnswer);
    private final TemplateAnswers templates = new TemplateAnswers();

    @Inject
    public CloudProviderService(NodeGroups groups, TalosBurstConfig config, Clock clock) {
        this.groups = groups;
        this.gpuLabel = config.gpuLabel();
        this.clock = clock;
    }

    /**
     * The answers cluster-autoscaler asks for again and again are cached messages: each is serialised once (the reason
     * this implements {@code AsyncService} rather than extending the generated base class, whose binding is final).
     */
    @Override
    public ServerServiceDefinition bindService() {
        return SerializedAnswers.of(
                CloudProviderGrpc.bindService(this),
                Set.of(
                        CloudProviderGrpc.getNodeGroupsMethod().getFullMethodName(),
                        CloudProviderGrpc.getNodeGroupNodesMethod().getFullMethodName(),
                        // stamped with the second: given again only within it, so CA (every 10 s) rarely repeats one;
                        // a scale-up simulation asks for it many times in a row
                        CloudProviderGrpc.getNodeGroupTemplateNodeInfoMethod().getFullMethodName()));
    }

    @Override
    public void nodeGroups(NodeGroupsRequest request, StreamObserver<NodeGroupsResponse> out) {
        answer("NodeGroups", out, () -> groupList.answer("", groups.all()));
    }

    @Override
    public void nodeGroupForNode(NodeGroupForNodeRequest request, StreamObserver<NodeGroupForNodeResponse> out) {
        answer("NodeGroupForNode", out, () -> {
            NodeRef node = NodeGroupMessages.toRef(request.getNode());
            LOG.debugf("NodeGroupForNode providerID=%s name=%s", node.providerId(), node.name());
            return NodeGroupForNodeResponse.newBuilder()
                    .setNodeGroup(groups.forNode(node)
                            .map(NodeGroupMessages::toMessage)
                            .orElse(NodeGroupMessages.noGroup()))
                    .build();
        });
    }

    @Override
    public void pricingNodePrice(PricingNodePriceRequest request, StreamObserver<PricingNodePriceResponse> out) {
        answer("PricingNodePrice", out, () -> {
            PricingWindow window = PricingWindow.of(
                    request.hasStartTimestamp(),
                    request.getStartTimestamp(),
                    request.hasStartTime(),
                    request.getStartTime(),
                    request.hasEndTimestamp(),
                    request.getEndTimestamp(),
                    request.hasEndTime(),
                    request.getEndTime());
            double price = groups.nodePrice(NodeGroupMessages.toRef(request.getNode()), window.start(), window.end());
            return PricingNodePriceResponse.newBuilder().setPrice(price).build();
        });
    }

    @Override
    public void pricingPodPrice(PricingPodPriceRequest request, StreamObserver<PricingPodPriceResponse> out) {
        answer("PricingPodPrice", out, () -> {
            PricingWindow window = PricingWindow.of(
                    request.hasStartTimestamp(),
                    request.getStartTimestamp(),
                    request.hasStartTime(),
                    request.getStartTime(),
                    request.hasEndTimestamp(),
                    request.getEndTimestamp(),
                    request.hasEndTime(),
                    request.getEndTime());
            double price = groups.podPrice(PodRequestsReader.read(pod(request)), window.start(), window.end());
            return PricingPodPriceResponse.newBuilder().setPrice(price).build();
        });
    }

    /** {@code pod_bytes} (CA ≥ 1.34.2) first, the embedded {@code pod} of older CAs as fallback. */
    private static Pod pod(PricingPodPriceRequest request) {
        if (!request.getPodBytes().isEmpty()) {
            try {
                return Pod.parseFrom(request.getPodBytes());
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException("pod_bytes is not a protobuf-encoded k8s.io.api.core.v1.Pod", e);
            }
        }
        if (request.hasPod()) {
            return request.getPod();
        }
        throw new IllegalArgumentException("no pod: set pod_bytes (or the pre-1.35 pod field)");
    }

    @Override
    public void gPULabel(GPULabelRequest request, StreamObserver<GPULabelResponse> out) {
        answer(
                "GPULabel",
                out,
                () -> GPULabelResponse.newBuilder().setLabel(gpuLabel).build());
    }

    @Override
    public void getAvailableGPUTypes(
            GetAvailableGPUTypesRequest request, StreamObserver<GetAvailableGPUTypesResponse> out) {
        answer("GetAvailableGPUTypes", out, GetAvailableGPUTypesResponse::getDefaultInstance);
    }

    @Override
    public void cleanup(CleanupRequest request, StreamObserver<CleanupResponse> out) {
        answer("Cleanup", out, () -> {
            groups.cleanup();
            return CleanupResponse.getDefaultInstance();
        });
    }

    @Override
    public void refresh(RefreshRequest request, StreamObserver<RefreshResponse> out) {
        answer("Refresh", out, () -> {
            groups.refresh();
            return RefreshResponse.getDefaultInstance();
        });
    }

    @Override
    public void nodeGroupTargetSize(
            NodeGroupTargetSizeRequest request, StreamObserver<NodeGroupTargetSizeResponse> out) {
        answer(
                "NodeGroupTargetSize",
                out,
                () -> NodeGroupTargetSizeResponse.newBuilder()
                        .setTargetSize(groups.targetSize(request.getId()))
                        .build());
    }

    @Override
    public void nodeGroupIncreaseSize(
            NodeGroupIncreaseSizeRequest request, StreamObserver<NodeGroupIncreaseSizeResponse> out) {
        answer("NodeGroupIncreaseSize", out, () -> {
            LOG.debugf("NodeGroupIncreaseSize id=%s delta=%d", request.getId(), request.getDelta());
            groups.increaseSize(request.getId(), request.getDelta());
            return NodeGroupIncreaseSizeResponse.getDefaultInstance();
        });
    }

    @Blocking
    @Override
    public void nodeGroupDeleteNodes(
            NodeGroupDeleteNodesRequest request, StreamObserver<NodeGroupDeleteNodesResponse> out) {
        answer("NodeGroupDeleteNodes", out, () -> {
            List<NodeRef> nodes = request.getNodesList().stream()
                    .map(NodeGroupMessages::toRef)
                    .toList();
            LOG.debugf(
                    "NodeGroupDeleteNodes id=%s nodes=%s",
                    request.getId(), nodes.stream().map(NodeRef::name).toList());
            groups.deleteNodes(request.getId(), nodes);
            return NodeGroupDeleteNodesResponse.getDefaultInstance();
        });
    }

    @Blocking
    @Override
    public void nodeGroupDecreaseTargetSize(
            NodeGroupDecreaseTargetSizeRequest request, StreamObserver<NodeGroupDecreaseTargetSizeResponse> out) {
        answer("NodeGroupDecreaseTargetSize", out, () -> {
            LOG.debugf("NodeGroupDecreaseTargetSize id=%s delta=%d", request.getId(), request.getDelta());
            groups.decreaseTargetSize(request.getId(), request.getDelta());
            return NodeGroupDecreaseTargetSizeResponse.getDefaultInstance();
        });
    }

    @Override
    public void nodeGroupNodes(NodeGroupNodesRequest request, StreamObserver<NodeGroupNodesResponse> out) {
        answer("NodeGroupNodes", out, () -> nodes.answer(request.getId(), groups.instances(request.getId())));
    }

    @Override
    public void nodeGroupTemplateNodeInfo(
            NodeGroupTemplateNodeInfoRequest request, StreamObserver<NodeGroupTemplateNodeInfoResponse> out) {
        answer(
                "NodeGroupTemplateNodeInfo",
                out,
                () -> templates.answer(request.getId(), groups.template(request.getId()), clock.instant()));
    }

    @Override
    public void nodeGroupGetOptions(
            NodeGroupAutoscalingOptionsRequest request, StreamObserver<NodeGroupAutoscalingOptionsResponse> out) {
        answer("NodeGroupGetOptions", out, () -> {
            AutoscalingOptions defaults =
                    AutoscalingOptionsMessages.defaults(request.getDefaults(), request.hasDefaults());
            AutoscalingOptions options = groups.options(request.getId(), defaults);
            return NodeGroupAutoscalingOptionsResponse.newBuilder()
                    .setNodeGroupAutoscalingOptions(AutoscalingOptionsMessages.toMessage(options))
                    .build();
        });
    }

    private static <T> void answer(String rpc, StreamObserver<T> out, Supplier<T> call) {
        T response;
        try {
            response = call.get();
        } catch (RuntimeException e) {
            out.onError(GrpcStatuses.of(rpc, e));
            return;
        }
        LOG.debugf("%s answered", rpc);
        out.onNext(response);
        out.onCompleted();
    }
}
