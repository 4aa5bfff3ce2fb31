package dev.talosburst.autoscaler.wiring;

import dev.talosburst.autoscaler.config.ConfigurationCheck.InvalidConfigurationException;
import dev.talosburst.provisioner.engine.HetznerStatus;
import dev.talosburst.provisioner.engine.NodeGroupEngine;
import io.quarkus.runtime.Quarkus;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Stops the process when Hetzner proves the configuration wrong after a start-up it could not check (Hetzner was
 * unreachable then): pools that do not fit the catalogue, or a token it refuses before anything worked. The exit status
 * is 1 and the message is the configuration error block, as for any other configuration error (Kubernetes shows
 * CrashLoopBackOff with it). Outages and a token revoked later only take readiness down: retrying can help then.
 */
@Singleton
public class StartupVerdict {
    private static final Logger LOG = Logger.getLogger(StartupVerdict.class);

    private final NodeGroupEngine engine;
    private final AtomicBoolean exiting = new AtomicBoolean();

    StartupVerdict(NodeGroupEngine engine) {
        this.engine = engine;
    }

    /** The configuration problems Hetzner proved before the pools were ever checked successfully; empty otherwise. */
    static Optional<List<String>> rejection(NodeGroupEngine engine) {
        if (engine.startupChecked()) {
            return Optional.empty();
        }
        HetznerStatus status = engine.hetznerStatus();
        return switch (status.state()) {
            case CONFIGURATION_INVALID -> Optional.of(status.startupProblems());
            case UNAUTHORIZED -> Optional.of(List.of("talosburst.hcloud.token: " + status.reason()));
            default -> Optional.empty();
        };
    }

    @Scheduled(
            every = "1s",
            delay = 1,
            delayUnit = java.util.concurrent.TimeUnit.SECONDS,
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void check() {
        rejection(engine).ifPresent(problems -> {
            if (exiting.compareAndSet(false, true)) {
                LOG.error(new InvalidConfigurationException(problems).getMessage());
                Quarkus.asyncExit(1);
            }
        });
    }
}
