package dev.talosburst.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import dev.talosburst.proto.k8s.core.v1.Container;
import dev.talosburst.proto.k8s.core.v1.CoreProto;
import dev.talosburst.proto.k8s.core.v1.Node;
import dev.talosburst.proto.k8s.core.v1.NodeCondition;
import dev.talosburst.proto.k8s.core.v1.NodeSpec;
import dev.talosburst.proto.k8s.core.v1.NodeStatus;
import dev.talosburst.proto.k8s.core.v1.NodeSystemInfo;
import dev.talosburst.proto.k8s.core.v1.Pod;
import dev.talosburst.proto.k8s.core.v1.PodSpec;
import dev.talosburst.proto.k8s.core.v1.ResourceRequirements;
import dev.talosburst.proto.k8s.core.v1.Taint;
import dev.talosburst.proto.k8s.meta.v1.MetaProto;
import dev.talosburst.proto.k8s.meta.v1.ObjectMeta;
import dev.talosburst.proto.k8s.meta.v1.Time;
import dev.talosburst.proto.k8s.resource.Quantity;
import dev.talosburst.proto.k8s.resource.ResourceProto;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.Resource;
import io.kubernetes.client.proto.V1;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our Kubernetes proto subset against the real Kubernetes descriptors ({@code io.kubernetes:client-java-proto}):
 * same packages, and every field we declare has the real field's number, type, label and message type.
 * Then the bytes: a Node/Pod written by one side is read by the other with the same values.
 */
class KubernetesSubsetTest {

    static Stream<Descriptor> ourMessages() {
        List<Descriptor> all = new ArrayList<>();
        for (FileDescriptor file :
                List.of(CoreProto.getDescriptor(), MetaProto.getDescriptor(), ResourceProto.getDescriptor())) {
            for (Descriptor message : file.getMessageTypes()) {
                all.add(message);
            }
        }
        return all.stream();
    }

    @Test
    void packagesAndSyntaxMatchUpstream() {
        assertEquals(V1.getDescriptor().getPackage(), CoreProto.getDescriptor().getPackage());
        assertEquals(
                Meta.getDescriptor().getPackage(), MetaProto.getDescriptor().getPackage());
        assertEquals(
                Resource.getDescriptor().getPackage(),
                ResourceProto.getDescriptor().getPackage());
        assertEquals("k8s.io.api.core.v1", CoreProto.getDescriptor().getPackage());
        // proto2 on both sides: optional fields have presence, as in upstream's gogo-generated files.
        assertEquals(
                V1.getDescriptor().toProto().getSyntax(),
                CoreProto.getDescriptor().toProto().getSyntax());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ourMessages")
    void everyFieldMatchesTheRealKubernetesField(Descriptor ours) {
        Descriptor real = realMessage(ours.getFullName());
        assertNotNull(real, "Kubernetes has no message " + ours.getFullName());
        for (FieldDescriptor field : ours.getFields()) {
            FieldDescriptor theirs = real.findFieldByName(field.getName());
            String where = ours.getFullName() + "." + field.getName();
            assertNotNull(theirs, where + " does not exist in Kubernetes");
            assertEquals(theirs.getNumber(), field.getNumber(), where + " number");
            assertEquals(theirs.getType(), field.getType(), where + " type");
            assertEquals(theirs.isRepeated(), field.isRepeated(), where + " repeated");
            assertEquals(theirs.isMapField(), field.isMapField(), where + " map");
            if (field.isMapField()) {
                for (String part : List.of("key", "value")) {
                    FieldDescriptor a = field.getMessageType().findFieldByName(part);
                    FieldDescriptor b = theirs.getMessageType().findFieldByName(part);
                    assertEquals(b.getType(), a.getType(), where + " map " + part + " type");
                    if (a.getType() == FieldDescriptor.Type.MESSAGE) {
                        assertEquals(
                                b.getMessageType().getFullName(),
                                a.getMessageType().getFullName(),
                                where + " map " + part);
                    }
                }
            } else if (field.getType() == FieldDescriptor.Type.MESSAGE) {
                assertEquals(
                        theirs.getMessageType().getFullName(),
                        field.getMessageType().getFullName(),
                        where + " message type");
            }
        }
    }

    private static Descriptor realMessage(String fullName) {
        for (FileDescriptor file : List.of(V1.getDescriptor(), Meta.getDescriptor(), Resource.getDescriptor())) {
            String prefix = file.getPackage() + ".";
            if (fullName.startsWith(prefix)) {
                Descriptor found = file.findMessageTypeByName(fullName.substring(prefix.length()));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Test
    void ourNodeParsesAsTheRealNode() throws Exception {
        Node ours = Node.newBuilder()
                .setMetadata(ObjectMeta.newBuilder()
                        .setName("burst-cx22-abc12")
                        .putLabels("kubernetes.io/arch", "arm64")
                        .putLabels("node.kubernetes.io/instance-type", "cax11")
                        .setCreationTimestamp(
                                Time.newBuilder().setSeconds(1_700_000_000L).setNanos(5)))
                .setSpec(NodeSpec.newBuilder()
                        .setProviderID("hcloud://4711")
                        .addTaints(Taint.newBuilder()
                                .setKey("dedicated")
                                .setValue("burst")
                                .setEffect("NoSchedule")))
                .setStatus(NodeStatus.newBuilder()
                        .putCapacity("cpu", quantity("2"))
                        .putCapacity("memory", quantity("4194304Ki"))
                        .putAllocatable("pods", quantity("110"))
                        .addConditions(
                                NodeCondition.newBuilder().setType("Ready").setStatus("True"))
                        .setNodeInfo(NodeSystemInfo.newBuilder()
                                .setArchitecture("arm64")
                                .setOperatingSystem("linux")))
                .build();

        V1.Node theirs = V1.Node.parseFrom(ours.toByteArray());

        assertEquals("burst-cx22-abc12", theirs.getMetadata().getName());
        assertEquals(
                Map.of("kubernetes.io/arch", "arm64", "node.kubernetes.io/instance-type", "cax11"),
                theirs.getMetadata().getLabelsMap());
        assertEquals(1_700_000_000L, theirs.getMetadata().getCreationTimestamp().getSeconds());
        assertEquals(5, theirs.getMetadata().getCreationTimestamp().getNanos());
        assertEquals("hcloud://4711", theirs.getSpec().getProviderID());
        assertEquals("dedicated", theirs.getSpec().getTaints(0).getKey());
        assertEquals("burst", theirs.getSpec().getTaints(0).getValue());
        assertEquals("NoSchedule", theirs.getSpec().getTaints(0).getEffect());
        assertEquals("2", theirs.getStatus().getCapacityOrThrow("cpu").getString());
        assertEquals(
                "4194304Ki", theirs.getStatus().getCapacityOrThrow("memory").getString());
        assertEquals("110", theirs.getStatus().getAllocatableOrThrow("pods").getString());
        assertEquals("Ready", theirs.getStatus().getConditions(0).getType());
        assertEquals("True", theirs.getStatus().getConditions(0).getStatus());
        assertEquals("arm64", theirs.getStatus().getNodeInfo().getArchitecture());
        assertEquals("linux", theirs.getStatus().getNodeInfo().getOperatingSystem());
        assertTrue(theirs.getUnknownFields().asMap().isEmpty(), "every byte we write is a field Kubernetes knows");
    }

    @Test
    void realNodeParsesAsOurNode() throws Exception {
        V1.Node theirs = V1.Node.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("worker-1").putAnnotations("a", "b"))
                .setSpec(V1.NodeSpec.newBuilder()
                        .setProviderID("hcloud://42")
                        .setUnschedulable(true)
                        .addTaints(V1.Taint.newBuilder().setKey("k").setEffect("NoExecute")))
                .setStatus(V1.NodeStatus.newBuilder()
                        .putCapacity(
                                "ephemeral-storage",
                                Resource.Quantity.newBuilder().setString("40Gi").build())
                        .addConditions(V1.NodeCondition.newBuilder()
                                .setType("Ready")
                                .setStatus("False")
                                .setReason("KubeletNotReady"))
                        .setNodeInfo(V1.NodeSystemInfo.newBuilder()
                                .setArchitecture("amd64")
                                .setKubeletVersion("v1.34.1")))
                .build();

        Node ours = Node.parseFrom(theirs.toByteArray());

        assertEquals("worker-1", ours.getMetadata().getName());
        assertEquals(Map.of("a", "b"), ours.getMetadata().getAnnotationsMap());
        assertEquals("hcloud://42", ours.getSpec().getProviderID());
        assertTrue(ours.getSpec().getUnschedulable());
        assertEquals("k", ours.getSpec().getTaints(0).getKey());
        assertEquals("NoExecute", ours.getSpec().getTaints(0).getEffect());
        assertEquals(
                "40Gi", ours.getStatus().getCapacityOrThrow("ephemeral-storage").getString());
        assertEquals("KubeletNotReady", ours.getStatus().getConditions(0).getReason());
        assertEquals("amd64", ours.getStatus().getNodeInfo().getArchitecture());
        assertEquals("v1.34.1", ours.getStatus().getNodeInfo().getKubeletVersion());
    }

    @Test
    void realPodWithRequestsParsesAsOurPodAndBack() throws Exception {
        V1.Pod theirs = V1.Pod.newBuilder()
                .setMetadata(Meta.ObjectMeta.newBuilder().setName("web-0").setNamespace("shop"))
                .setSpec(V1.PodSpec.newBuilder()
                        .addContainers(V1.Container.newBuilder()
                                .setName("app")
                                .setImage("nginx")
                                .setResources(V1.ResourceRequirements.newBuilder()
                                        .putRequests(
                                                "cpu",
                                                Resource.Quantity.newBuilder()
                                                        .setString("250m")
                                                        .build())
                                        .putRequests(
                                                "memory",
                                                Resource.Quantity.newBuilder()
                                                        .setString("128Mi")
                                                        .build())
                                        .putLimits(
                                                "memory",
                                                Resource.Quantity.newBuilder()
                                                        .setString("256Mi")
                                                        .build())))
                        .addInitContainers(V1.Container.newBuilder()
                                .setName("init")
                                .setResources(V1.ResourceRequirements.newBuilder()
                                        .putRequests(
                                                "cpu",
                                                Resource.Quantity.newBuilder()
                                                        .setString("1")
                                                        .build())))
                        .putOverhead(
                                "cpu",
                                Resource.Quantity.newBuilder().setString("10m").build())
                        .setNodeName("n1"))
                .build();

        Pod ours = Pod.parseFrom(theirs.toByteArray());
        assertEquals("web-0", ours.getMetadata().getName());
        assertEquals("shop", ours.getMetadata().getNamespace());
        PodSpec spec = ours.getSpec();
        assertEquals(
                "250m",
                spec.getContainers(0).getResources().getRequestsOrThrow("cpu").getString());
        assertEquals(
                "128Mi",
                spec.getContainers(0)
                        .getResources()
                        .getRequestsOrThrow("memory")
                        .getString());
        assertEquals(
                "256Mi",
                spec.getContainers(0).getResources().getLimitsOrThrow("memory").getString());
        assertEquals(
                "1",
                spec.getInitContainers(0)
                        .getResources()
                        .getRequestsOrThrow("cpu")
                        .getString());
        assertEquals("10m", spec.getOverheadOrThrow("cpu").getString());
        assertEquals("n1", spec.getNodeName());

        Pod built = Pod.newBuilder()
                .setSpec(PodSpec.newBuilder()
                        .addContainers(Container.newBuilder()
                                .setName("c")
                                .setResources(ResourceRequirements.newBuilder().putRequests("memory", quantity("1G")))))
                .build();
        V1.Pod back = V1.Pod.parseFrom(built.toByteArray());
        assertEquals("c", back.getSpec().getContainers(0).getName());
        assertEquals(
                "1G",
                back.getSpec()
                        .getContainers(0)
                        .getResources()
                        .getRequestsOrThrow("memory")
                        .getString());
    }

    private static Quantity quantity(String value) {
        return Quantity.newBuilder().setString(value).build();
    }
}
