package dev.talosburst.provisioner.pool;

import java.util.Objects;

/**
 * One problem with a configured pool.
 *
 * @param poolId the pool it concerns
 * @param text   what is wrong and how to fix it, starting with the option to change ({@code talosburst.pools.<id>...})
 */
public record PoolProblem(String poolId, String text) {

    public PoolProblem {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(text, "text");
    }

    @Override
    public String toString() {
        return text;
    }
}
