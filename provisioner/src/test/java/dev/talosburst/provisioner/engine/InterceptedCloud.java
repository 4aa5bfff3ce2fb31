package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.Action;
import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.CreatedServer;
import dev.talosburst.provisioner.cloud.Firewall;
import dev.talosburst.provisioner.cloud.FirewallSpec;
import dev.talosburst.provisioner.cloud.Image;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.Location;
import dev.talosburst.provisioner.cloud.Network;
import dev.talosburst.provisioner.cloud.PlacementGroup;
import dev.talosburst.provisioner.cloud.Server;
import dev.talosburst.provisioner.cloud.ServerQuery;
import dev.talosburst.provisioner.cloud.ServerSpec;
import dev.talosburst.provisioner.cloud.ServerType;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The real client with a seam on server lists, to replay exactly the races a paged list has with concurrent
 * changes: a server skipped because another one vanished between pages, or a list that was on the wire while
 * a server was deleted.
 */
final class InterceptedCloud implements CloudApi {
    private final CloudApi delegate;
    private volatile UnaryOperator<List<Server>> nextList;

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

    @Override
    public CreatedServer createServer(ServerSpec spec) {
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
    public List<Action> actions(Collection<Long> ids) {
        return delegate.actions(ids);
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
    public List<Firewall> firewalls(String name, String labelSelector) {
        return delegate.firewalls(name, labelSelector);
    }

    @Override
    public Firewall createFirewall(FirewallSpec spec) {
        return delegate.createFirewall(spec);
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
