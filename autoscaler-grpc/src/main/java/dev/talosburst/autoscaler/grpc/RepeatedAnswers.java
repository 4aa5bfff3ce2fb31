package dev.talosburst.autoscaler.grpc;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The last answer per key (a pool, or the one list of pools), given again while what it was built from is equal to what
 * it was built from last time: cluster-autoscaler asks for every pool in every loop, and between two loops almost
 * nothing changes, so the answer is compared (cheap) rather than built again (a message per element).
 *
 * @param <E> what one element of an answer is built from (an instance, a pool's summary)
 * @param <M> the answer
 */
final class RepeatedAnswers<E, M> {

    private record Answer<E, M>(List<E> from, M message) {}

    private final Function<List<E>, M> build;
    /** One entry per key that was asked for (configured pools: a bounded set). */
    private final Map<String, Answer<E, M>> last = new ConcurrentHashMap<>();

    RepeatedAnswers(Function<List<E>, M> build) {
        this.build = build;
    }

    /** The answer for {@code elements} under {@code key}: the last one when they are equal, else a new one. */
    M answer(String key, List<E> elements) {
        Answer<E, M> previous = last.get(key);
        if (previous != null && previous.from().equals(elements)) {
            return previous.message();
        }
        List<E> from = List.copyOf(elements); // the caller's list may change later
        M message = build.apply(from);
        last.put(key, new Answer<>(from, message));
        return message;
    }
}
