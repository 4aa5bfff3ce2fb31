package dev.talosburst.hcloud.client;

import java.net.URI;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * A Hetzner Cloud API served inside this process (the simulator of the demo profile and the tests). Implementations are
 * found with {@link ServiceLoader}, so the production code path never references one: a build without the
 * {@code talos-burst-hcloud-simulator-embedded} jar simply has none.
 */
public interface LocalHetzner extends AutoCloseable {

    /** The API base URL, e.g. {@code http://127.0.0.1:41234/v1}. */
    URI endpoint();

    /** The token it accepts (never logged). */
    String token();

    /** The implementation behind it, for tests that inspect or fault it; fails when it is not a {@code type}. */
    <T> T unwrap(Class<T> type);

    /** Stops serving. */
    @Override
    void close();

    /** Starts a local Hetzner on a free port of 127.0.0.1; empty when no implementation is on the class path. */
    static Optional<LocalHetzner> start() {
        return provider().map(Provider::start);
    }

    /** Whether this build can serve Hetzner locally (a {@link Provider} is on the class path). */
    static boolean available() {
        return provider().isPresent();
    }

    private static Optional<Provider> provider() {
        return ServiceLoader.load(Provider.class, LocalHetzner.class.getClassLoader())
                .findFirst();
    }

    /** What {@code META-INF/services/dev.talosburst.hcloud.client.LocalHetzner$Provider} names. */
    interface Provider {
        /** Starts one. */
        LocalHetzner start();
    }
}
