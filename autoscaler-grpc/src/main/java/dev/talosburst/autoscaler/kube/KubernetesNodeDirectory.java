package dev.talosburst.autoscaler.kube;

import dev.talosburst.provisioner.directory.KubeNode;
import dev.talosburst.provisioner.directory.NodeDirectory;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The cluster's Nodes as the provisioning engine sees them, kept by a fabric8 informer (a cache indexed by name and
 * by {@code spec.providerID}); registrations, readiness changes and deletions are passed on to the engine's
 * listeners. Writes are the two the engine asks for: set an empty providerID once, delete a Node.
 */
public final class KubernetesNodeDirectory implements NodeDirectory, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KubernetesNodeDirectory.class);
    static final String PROVIDER_ID_INDEX = "providerID";
    /** Tries of the providerID patch when the Node keeps changing under it (each on the Node as just read). */
    static final int PATCH_ATTEMPTS = 3;

    private final KubernetesClient client;
    private final Clock clock;
    private final Duration resync;
    private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();
    /** Serialises deliveries: informer events and the replay for a new subscriber never interleave. */
    private final Object delivery = new Object();

    private volatile SharedIndexInformer<Node> informer;
    private volatile Throwable failure;

    /**
     * @param resync how often every cached Node is re-delivered (as an update), so a listener that missed a change
     *               (a replica that just became leader) learns it without waiting for the kubelet to change something
     */
    public KubernetesNodeDirectory(KubernetesClient client, Clock clock, Duration resync) {
        this.client = client;
        this.clock = clock;
        this.resync = resync;
    }

    /** Starts the informer: lists the Nodes, then watches them. Returns at once; {@link #hasSynced()} tells when the list is in. */
    public synchronized void start() {
        if (informer != null) {
            return;
        }
        SharedIndexInformer<Node> nodes = client.nodes().runnableInformer(resync.toMillis());
        nodes.addIndexers(Map.of(PROVIDER_ID_INDEX, node -> {
            String id = NodeFacts.providerId(node);
            return id.isEmpty() ? List.of() : List.of(id);
        }));
        nodes.addEventHandler(new Deliveries());
        nodes.exceptionHandler((started, error) -> {
            // keep trying: an API server outage or a missing RBAC rule must not silently end the watch; readiness shows
            // it
            LOG.warnf(
                    "watching Nodes failed (%s); retrying. Check the RBAC rule for nodes get/list/watch",
                    error.toString());
            return true;
        });
        informer = nodes;
        nodes.stopped().whenComplete((ignored, error) -> {
            if (error != null) {
                failure = error;
                LOG.errorf("the Node informer stopped: %s", error.toString());
            }
        });
        nodes.start().whenComplete((ignored, error) -> {
            if (error == null) {
                LOG.infof(
                        "Node informer synced: %d Nodes",
                        nodes.getStore().list().size());
            }
        });
    }

    /** True once the first full list of Nodes is in the cache. */
    public boolean hasSynced() {
        SharedIndexInformer<Node> nodes = informer;
        return nodes != null && nodes.hasSynced();
    }

    /** True while the informer runs (started and not stopped by an error or {@link #close()}). */
    public boolean isRunning() {
        SharedIndexInformer<Node> nodes = informer;
        return nodes != null && nodes.isRunning() && failure == null;
    }

    /** True while a watch is open (false during a reconnect). */
    public boolean isWatching() {
        SharedIndexInformer<Node> nodes = informer;
        return nodes != null && nodes.isWatching();
    }

    @Override
    public Optional<KubeNode> byName(String name) {
        return cached(name).map(this::facts);
    }

    /** The Node whose {@code spec.providerID} is {@code providerId}, if any. */
    public Optional<KubeNode> byProviderId(String providerId) {
        SharedIndexInformer<Node> nodes = informer;
        if (nodes == null || providerId == null || providerId.isEmpty()) {
            return Optional.empty();
        }
        return nodes.getIndexer().byIndex(PROVIDER_ID_INDEX, providerId).stream()
                .findFirst()
                .map(this::facts);
    }

    @Override
    public Collection<KubeNode> all() {
        SharedIndexInformer<Node> nodes = informer;
        return nodes == null
                ? List.of()
                : nodes.getStore().list().stream().map(this::facts).toList();
    }

    /**
     * Patches {@code spec.providerID} from empty to {@code providerId}. The patch carries a test of the resourceVersion it
     * saw empty, so a Node that changed meanwhile is not overwritten (the API server also refuses any change of a set
     * providerID); a Node that is unknown or already has one is left alone. The kubelet updating its new Node before
     * the patch lands is routine: the API server refuses the test (422, or 409), and the patch is retried at once on the
     * Node as it is now, up to {@value #PATCH_ATTEMPTS} times; only then, or on any other refusal, does this throw.
     *
     * @throws IllegalStateException in one line (HTTP code, reason, the API server's message; no Status dump)
     */
    @Override
    public void setProviderId(String nodeName, String providerId) {
        Optional<Node> node = cached(nodeName);
        for (int attempt = 1; ; attempt++) {
            if (node.isEmpty() || !NodeFacts.providerId(node.get()).isEmpty()) {
                return;
            }
            String seen = node.get().getMetadata().getResourceVersion();
            try {
                client.nodes()
                        .withName(nodeName)
                        .patch(PatchContext.of(PatchType.JSON), providerIdPatch(node.get(), providerId));
                return;
            } catch (KubernetesClientException e) {
                if (!raced(e) || attempt == PATCH_ATTEMPTS) {
                    throw refused(e, attempt);
                }
                LOG.debugf(
                        "providerID patch of Node %s (resourceVersion %s) refused, as when the kubelet updated the Node"
                                + " first (%s); retrying on the Node as it is now",
                        nodeName, seen, statusLine(e));
                node = Optional.ofNullable(client.nodes().withName(nodeName).get());
            }
        }
    }

    private static String providerIdPatch(Node node, String providerId) {
        String resourceVersion = node.getMetadata().getResourceVersion();
        return "["
                + (resourceVersion == null
                        ? ""
                        : "{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":" + json(resourceVersion)
                                + "},")
                + (node.getSpec() == null
                        ? "{\"op\":\"add\",\"path\":\"/spec\",\"value\":{\"providerID\":" + json(providerId) + "}}]"
                        : "{\"op\":\"add\",\"path\":\"/spec/providerID\",\"value\":" + json(providerId) + "}]");
    }

    /** A failed resourceVersion test (422, the API server's answer to a JSON-patch test that fails) or a conflict (409). */
    private static boolean raced(KubernetesClientException e) {
        return e.getCode() == 422 || e.getCode() == 409;
    }

    /**
     * Deletes the Node object; a Node that is already gone is ignored.
     *
     * @throws IllegalStateException in one line when the API server refuses
     */
    @Override
    public void removeNode(String nodeName) {
        try {
            client.nodes().withName(nodeName).delete();
        } catch (KubernetesClientException e) {
            throw refused(e, 1);
        }
    }

    /** One line for the caller's log (fabric8's own message embeds the whole Status object). */
    private static IllegalStateException refused(KubernetesClientException e, int attempts) {
        return new IllegalStateException(statusLine(e) + (attempts > 1 ? " (" + attempts + " attempts)" : ""));
    }

    private static String statusLine(KubernetesClientException e) {
        if (e.getCode() <= 0) { // no answer: the cause says why (connection refused, timeout)
            return "no answer from the API server ("
                    + (e.getCause() != null ? e.getCause().toString() : e.getMessage()) + ")";
        }
        Status status = e.getStatus();
        String reason = status == null || status.getReason() == null ? "" : " " + status.getReason();
        String message = status == null || status.getMessage() == null ? "" : ": " + status.getMessage();
        return "HTTP " + e.getCode() + reason + message;
    }

    @Override
    public void subscribe(NodeListener listener) {
        synchronized (delivery) {
            listeners.add(listener);
            all().forEach(node -> deliver(listener, "registered", l -> l.registered(node)));
        }
    }

    /** The informer sees every Node of the cluster: an absent Node really did not register. */
    @Override
    public boolean observesRegistration() {
        return true;
    }

    @Override
    public synchronized void close() {
        if (informer != null) {
            informer.close();
        }
    }

    private Optional<Node> cached(String name) {
        SharedIndexInformer<Node> nodes = informer;
        return nodes == null || name == null
                ? Optional.empty()
                : Optional.ofNullable(nodes.getStore().getByKey(name));
    }

    private KubeNode facts(Node node) {
        return NodeFacts.of(node, clock.instant());
    }

    private static String json(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private void deliverToAll(String what, Consumer<NodeListener> event) {
        synchronized (delivery) {
            listeners.forEach(l -> deliver(l, what, event));
        }
    }

    private static void deliver(NodeListener listener, String what, Consumer<NodeListener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            // one failing listener must not stop the informer's deliveries
            LOG.errorf(e, "Node listener failed on %s", what);
        }
    }

    /** Translates informer callbacks into the listener's vocabulary. */
    private final class Deliveries implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            KubeNode facts = facts(node);
            deliverToAll("registered " + facts.name(), l -> l.registered(facts));
        }

        @Override
        public void onUpdate(Node oldNode, Node newNode) {
            KubeNode facts = facts(newNode);
            boolean wasReady = NodeFacts.isReady(oldNode);
            if (facts.ready()) {
                // became Ready, or changed (or was re-delivered) while Ready: the listener ignores what it already
                // knows
                deliverToAll("ready " + facts.name(), l -> l.ready(facts));
            } else if (wasReady) {
                deliverToAll("not-ready " + facts.name(), l -> l.notReady(facts));
            } else {
                // still not Ready: re-announce, so a listener that could not match the Node before can match it now
                deliverToAll("registered " + facts.name(), l -> l.registered(facts));
            }
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            KubeNode facts = facts(node);
            deliverToAll("removed " + facts.name(), l -> l.removed(facts));
        }
    }
}
