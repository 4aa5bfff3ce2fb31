package dev.talosburst.autoscaler.wiring;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness: down while the backlog of unpublished lifecycle events is large, while state records keep failing, or once
 * no Kafka broker has answered for {@code talosburst.events.unreachable-after}.
 */
@Readiness
@Singleton
public class EventBacklogReadiness implements HealthCheck {
    private final LifecycleEventPublishing publishing;

    EventBacklogReadiness(LifecycleEventPublishing publishing) {
        this.publishing = publishing;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("lifecycle-events")
                .status(publishing.backlogHealthy())
                .withData("kafka", publishing.enabled())
                .withData("pending", publishing.pending())
                .withData("kafkaReachable", publishing.kafkaReachable())
                .withData("kafkaSilentSeconds", publishing.kafkaSilentSeconds())
                .build();
    }
}
