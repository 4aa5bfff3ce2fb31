package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.userdata.UserDataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Checks every pool against the Hetzner catalogue once, before the first list of servers: problems stop the engine for
 * good ({@link HetznerStatus.State#CONFIGURATION_INVALID}); the Talos version each pool boots goes to the user-data
 * source, which then renders a node of every pool again in that version.
 */
final class StartupCheck {
    private static final Logger LOG = Logger.getLogger(StartupCheck.class);

    private final List<NodePool> pools;
    private final Catalogue catalogue;
    private final UserDataSource userData;
    private final HetznerAccess access;
    private final String clusterId;
    private volatile boolean passed;

    StartupCheck(
            List<NodePool> pools,
            Catalogue catalogue,
            UserDataSource userData,
            HetznerAccess access,
            String clusterId) {
        this.pools = List.copyOf(pools);
        this.catalogue = catalogue;
        this.userData = userData;
        this.access = access;
        this.clusterId = clusterId;
    }

    /** True once every pool was checked and found fitting. */
    boolean passed() {
        return passed;
    }

    /** Runs the check when not passed yet and Hetzner may be asked now; true when it has passed. */
    boolean runIfDue(Instant now) {
        if (passed) {
            return true;
        }
        if (!access.due(now)) {
            return false;
        }
        List<String> problems;
        try {
            problems = problems();
            access.succeeded();
        } catch (RuntimeException e) {
            access.failed(e, true);
            throw e;
        }
        if (!problems.isEmpty()) {
            access.rejected(problems);
            return false;
        }
        passed = true;
        LOG.infof(
                "every node pool fits the Hetzner catalogue: %s",
                pools.stream().map(NodePool::id).toList());
        return true;
    }

    private List<String> problems() {
        PoolCatalogueCheck.Result result = PoolCatalogueCheck.check(pools, catalogue);
        List<String> problems = new ArrayList<>(result.problems());
        if (problems.isEmpty()) {
            problems.addAll(userData.bootedVersions(result.bootedVersionLabels()));
        }
        if (problems.isEmpty()) {
            for (NodePool pool : pools) {
                for (String problem : userData.check(pool, NodeTemplates.registrationLabels(pool, clusterId))) {
                    problems.add("talosburst.pools." + pool.id() + ": " + problem);
                }
            }
        }
        return problems;
    }
}
