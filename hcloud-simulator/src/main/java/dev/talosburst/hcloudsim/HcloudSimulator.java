package dev.talosburst.hcloudsim;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stateful Hetzner Cloud API simulator on a local HTTP port. Point a client at {@link #endpoint()} with
 * {@link #token()}; drive time with a {@link SettableClock}; arm {@link #faults()}; assert with {@link #inspect()}.
 */
public final class HcloudSimulator implements AutoCloseable {

    private final ProjectState state;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Faults faults;
    private final Inspection inspection;
    private final SimulatedCatalogue catalogue;
    private final URI endpoint;

    private HcloudSimulator(SimulatorOptions options) {
        this.state = new ProjectState(options);
        this.faults = new Faults(state.faults, state.bucket);
        this.inspection = new Inspection(state);
        this.catalogue = new SimulatedCatalogue(state);
        if (options.seedCatalogue()) {
            RealisticCatalogue.seed(catalogue);
        }
        try {
            server = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot bind the Hetzner simulator to " + options.host() + ":" + options.port(), e);
        }
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "hcloud-simulator-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", new RequestPipeline(state, new AdminApi(state, faults)));
        server.start();
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        endpoint = URI.create("http://" + host + ":" + server.getAddress().getPort() + "/v1");
    }

    /** Starts with defaults: random token, system clock, 127.0.0.1 on a free port, seeded catalogue. */
    public static HcloudSimulator start() {
        return start(SimulatorOptions.defaults());
    }

    /** Starts with the given options. */
    public static HcloudSimulator start(SimulatorOptions options) {
        return new HcloudSimulator(options);
    }

    /** The API root, e.g. {@code http://127.0.0.1:40123/v1} (what {@code HCLOUD_ENDPOINT} should be). */
    public URI endpoint() {
        return endpoint;
    }

    /** The token clients must send as {@code Authorization: Bearer <token>}. */
    public String token() {
        return state.options.token();
    }

    /** The options this instance runs with. */
    public SimulatorOptions options() {
        return state.options;
    }

    /** Fault injection. */
    public Faults faults() {
        return faults;
    }

    /** State and request-log inspection for tests. */
    public Inspection inspect() {
        return inspection;
    }

    /** Seeding and lookup of locations, server types, images, firewalls, networks, placement groups, SSH keys. */
    public SimulatedCatalogue catalogue() {
        return catalogue;
    }

    /** Stops the HTTP server at once. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "HcloudSimulator[" + endpoint + "]";
    }
}
