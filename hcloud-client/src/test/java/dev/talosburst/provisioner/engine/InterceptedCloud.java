package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.Action;
import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.CreatedServer;
import dev.talosburst.provisioner.cloud.Firewall;
import dev.talosburst.provisioner.cloud.Image;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.Location;
import dev.talosburst.provisioner.cloud.Network;
import dev.talosburst.provisioner.cloud.PlacementGroup;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.cloud.ServerType;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The real client with a seam on server lists, to replay exactly the races a paged list has with concurrent
 * changes: a server skipped because another one vanished between pages, or a list that was on the wire while
 * a server was deleted; and a seam on creations, to hold them in flight.
 */
final class InterceptedCloud implements CloudApi {
    private final CloudApi delegate;
    private volatile UnaryOperator<List<Server>> nextList;
    /** When set, server creations wait here until it is counted down (a create that is slow to answer). */
    private volatile java.util.concurrent.CountDownLatch createGate;

    private final java.util.concurrent.atomic.AtomicInteger heldCreates =
            new java.util.concurrent.atomic.AtomicInteger();

    InterceptedCloud(CloudApi delegate) {
        this.delegate = delegate;
    }

    /** The next server list passes through {@code change} (once) before the engine sees it. */
    void onNextList(UnaryOperator<List<Server>> change) {
        nextList = change;
    }

    @Override
    public List<Server> servers(ServerQuery query) {
        List<Server> servers = delegate.servers(query);
        UnaryOperator<List<Server>> change = nextList;
        nextList = null;
        return change == null ? servers : change.apply(servers);
    }

    /** Creations from now on block until {@link #releaseCreates()}. */
    void holdCreates() {
        createGate = new java.util.concurrent.CountDownLatch(1);
    }

    /** How many creations are waiting at the gate right now. */
    int heldCreates() {
        return heldCreates.get();
    }

    void releaseCreates() {
        java.util.concurrent.CountDownLatch gate = createGate;
        createGate = null;
        if (gate != null) {
            gate.countDown();
        }
    }

    @Override
    public CreatedServer createServer(ServerSpec spec) {
        java.util.concurrent.CountDownLatch gate = createGate;
        if (gate != null) {
            heldCreates.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while a create was held", e);
            } finally {
                heldCreates.decrementAndGet();
            }
        }
        return delegate.createServer(spec);
    }

    @Override
    public Optional<Server> server(long id) {
        return delegate.server(id);
    }

    @Override
    public Optional<Action> deleteServer(long id) {
        return delegate.deleteServer(id);
    }

    @Override
    public List<ServerType> serverTypes() {
        return delegate.serverTypes();
    }

    @Override
    public List<Location> locations() {
        return delegate.locations();
    }

    @Override
    public List<Image> images(ImageQuery query) {
        return delegate.images(query);
    }

    @Override
    public Optional<Image> image(long id) {
        return delegate.image(id);
    }

    @Override
    public List<Firewall> firewalls(String name, String labelSelector) {
        return delegate.firewalls(name, labelSelector);
    }

    @Override
    public List<Network> networks(String name, String labelSelector) {
        return delegate.networks(name, labelSelector);
    }

    @Override
    public List<PlacementGroup> placementGroups(String name, String labelSelector) {
        return delegate.placementGroups(name, labelSelector);
    }
}
