package dev.talosburst.billing;

import dev.talosburst.events.model.NodeCloudEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads the node lifecycle topic through the SmallRye Kafka connector, whose CloudEvents support turns the binary-mode
 * {@code ce_*} headers into {@link IncomingCloudEventMetadata}; each event is accounted, then acknowledged (so its
 * offset is committed only once it is stored).
 */
@ApplicationScoped
public class LifecycleEventConsumer {

    private static final Logger LOG = Logger.getLogger(LifecycleEventConsumer.class);

    private final BillingService billing;

    LifecycleEventConsumer(BillingService billing) {
        this.billing = billing;
    }

    /** One record of the topic. */
    @Incoming("node-lifecycle")
    @Blocking // ordered: the store is appended in offset order
    public CompletionStage<Void> consume(Message<byte[]> message) {
        @SuppressWarnings("unchecked")
        IncomingCloudEventMetadata<byte[]> ce =
                message.getMetadata(IncomingCloudEventMetadata.class).orElse(null);
        if (ce == null) {
            LOG.warnf(
                    "skipping a record without CloudEvents attributes (ce_* headers): not a talos-burst lifecycle event");
            return message.ack();
        }
        if (NodeCloudEvent.transitionOf(ce.getType()) == null) {
            LOG.warnf("skipping CloudEvent %s of unknown type %s (a newer talos-burst?)", ce.getId(), ce.getType());
            return message.ack();
        }
        NodeCloudEvent event = new NodeCloudEvent(
                ce.getId(),
                ce.getSource().toString(),
                ce.getType(),
                ce.getSubject()
                        .orElseThrow(
                                () -> new IllegalArgumentException("CloudEvent " + ce.getId() + " has no subject")),
                ce.getTimeStamp()
                        .orElseThrow(() -> new IllegalArgumentException("CloudEvent " + ce.getId() + " has no time"))
                        .toInstant(),
                ce.getDataSchema().map(Object::toString).orElse(null),
                NodeCloudEvent.transitionOf(ce.getType()),
                message.getPayload() == null ? new byte[0] : message.getPayload());
        billing.book().record(event);
        return message.ack();
    }
}
