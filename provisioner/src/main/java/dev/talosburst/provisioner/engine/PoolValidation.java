package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.PoolProblem;
import dev.talosburst.provisioner.userdata.UserDataSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one validation of configured pools that needs no Hetzner answer: start-up (the app's pool definitions) and the
 * engine's constructor both use it. The checks against Hetzner's catalogue come later ({@code PoolCatalogueCheck}).
 */
public final class PoolValidation {

    private PoolValidation() {}

    /** A pool's own rules (id, type, location, min/max, provision time, image, autoscaling overrides); {@code optionPrefix} e.g. {@code talosburst.pools.<id>}. */
    public static List<PoolProblem> structure(NodePool pool, String optionPrefix) {
        return pool.problems(optionPrefix).stream()
                .map(text -> new PoolProblem(pool.id(), text))
                .toList();
    }

    /**
     * Every problem of these pools as the engine will run them: each pool's rules, ids given twice, and (only when those pass)
     * a node of every pool rendered once, so a patch that breaks the Talos config fails start-up and not the first scale-up.
     */
    public static List<PoolProblem> check(List<NodePool> pools, UserDataSource userData, String clusterId) {
        List<PoolProblem> problems = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (NodePool pool : pools) {
            problems.addAll(structure(pool, "talosburst.pools." + pool.id()));
            if (seen.merge(pool.id(), 1, Integer::sum) > 1) {
                problems.add(new PoolProblem(pool.id(), "talosburst.pools." + pool.id() + ": configured twice"));
            }
        }
        if (problems.isEmpty()) {
            for (NodePool pool : pools) {
                for (String problem : userData.check(pool, NodeTemplates.registrationLabels(pool, clusterId))) {
                    problems.add(new PoolProblem(pool.id(), "talosburst.pools." + pool.id() + ": " + problem));
                }
            }
        }
        return List.copyOf(problems);
    }

    /** The engine refused its pools: every problem, each naming the option to change. */
    public static final class InvalidPoolsException extends IllegalArgumentException {
        private final List<PoolProblem> problems;

        public InvalidPoolsException(List<PoolProblem> problems) {
            super("invalid node pool configuration:\n  - "
                    + String.join(
                            "\n  - ", problems.stream().map(PoolProblem::text).toList()));
            this.problems = List.copyOf(problems);
        }

        /** Each problem, in pool order. */
        public List<PoolProblem> problems() {
            return problems;
        }
    }
}
