package dev.talosburst.events.publish;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.RetriableException;

/**
 * The sink's admin client (sender thread): topic set-up, and while nothing else has heard from Kafka for a while a
 * {@code describeCluster} check whose answer, or its absence within {@link KafkaClients#contactTimeout()}, feeds
 * {@link KafkaContact}. Outage detection rests on this and on answers, never on send timeouts (the producer retries
 * until the sink replaces or closes it).
 */
final class ConnectivityCheck {

    private final KafkaClients clients;
    private final KafkaContact contact;
    /** Events waiting, for the unreachable WARN. */
    private final LongSupplier pending;
    /** One client at a time; a new one after an attempt that got no answer. */
    private volatile Admin admin;
    /** The check in flight, if any. */
    private KafkaFuture<String> check;

    ConnectivityCheck(KafkaClients clients, KafkaContact contact, LongSupplier pending) {
        this.clients = clients;
        this.contact = contact;
        this.pending = pending;
    }

    void open() {
        admin = clients.newAdmin();
    }

    /** Creates the topics when missing (throws {@link org.apache.kafka.common.KafkaException} without an answer). */
    void ensureTopics() {
        clients.createTopics(admin);
        contact.answered();
    }

    /** Starts a check when one is due, or takes the outcome of the one in flight; never waits for it. */
    void poll() {
        if (check == null) {
            if (contact.checkDue()) {
                check = admin.describeCluster(new DescribeClusterOptions()
                                .timeoutMs((int) clients.contactTimeout().toMillis()))
                        .clusterId();
            }
            return;
        }
        if (!check.isDone()) {
            return;
        }
        try {
            check.get();
            contact.answered();
        } catch (ExecutionException e) {
            if (noAnswer(e.getCause())) {
                failed(e.getCause());
            } else {
                contact.answered(); // refused, e.g. not authorised: a broker did answer
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            check = null;
        }
    }

    /** An attempt got no answer: reported (one WARN, then at most one a minute), and a fresh admin client. */
    void failed(Throwable cause) {
        contact.failed(cause, pending.getAsLong());
        renewAdmin();
    }

    /**
     * A new admin client after one got no answer: it starts again from the bootstrap servers, as a rebootstrap would
     * (brokers replaced under new addresses), at the pace of our attempts rather than in the client's tight loop.
     */
    private void renewAdmin() {
        check = null; // a check in flight on the old client fails with it
        admin.close(Duration.ZERO);
        admin = clients.newAdmin();
    }

    /** A failure that means no broker answered in time (as opposed to one that refused). */
    static boolean noAnswer(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RetriableException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    void close() {
        Admin a = admin;
        if (a != null) {
            a.close(Duration.ofSeconds(2));
        }
    }
}
