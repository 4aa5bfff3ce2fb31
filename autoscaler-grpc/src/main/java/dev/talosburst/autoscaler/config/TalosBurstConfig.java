package dev.talosburst.autoscaler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Every {@code talosburst.*} option (documented in the root README (Configuration reference)). Unknown keys under the prefix
 * fail start-up; ranges and cross-field rules are checked by {@link ConfigurationCheck} (not Bean Validation, whose
 * bootstrap was half of the start-up's main-thread time, and whose messages came one block apart from ours).
 */
@ConfigMapping(prefix = "talosburst")
public interface TalosBurstConfig {

    /** Cluster identity written into every server's ownership labels; required unless the embedded simulator serves Hetzner. */
    Optional<String> clusterId();

    /** Node pools by id; the id is the CA node group id and the prefix of server names. */
    Map<String, Pool> pools();

    /** The gRPC endpoint cluster-autoscaler talks to. */
    Grpc grpc();

    /** Where health and metrics are served (never on the gRPC port). */
    Management management();

    /** How the Hetzner Cloud API is reached. */
    Hcloud hcloud();

    /** The Talos worker machine config that becomes the servers' user-data. */
    Talos talos();

    /** Background work of the node-group engine. */
    Engine engine();

    /** Deletion of servers that never became nodes, or failed. */
    Reaper reaper();

    /** Node lifecycle events on Kafka (billing and audit). */
    Events events();

    /** The node label key CA uses to recognise GPU nodes ({@code GPULabel} RPC). */
    @WithDefault("hcloud/gpu-node")
    String gpuLabel();

    /** One node pool: {@code talosburst.pools.<id>.*}. */
    interface Pool {
        /** Hetzner server type, e.g. {@code cx22}. */
        String serverType();

        /** Hetzner location, e.g. {@code fsn1}. */
        String location();

        /** Value of {@code topology.kubernetes.io/zone}; defaults to the location. */
        Optional<String> zone();

        /** Smallest size CA may shrink the group to. */
        @WithDefault("0")
        int min();

        /** Largest size CA may grow the group to. */
        int max();

        /** Which image servers boot. */
        Image image();

        /** Kubernetes labels the nodes register with. */
        Map<String, @WithConverter(VerbatimString.class) String> nodeLabels();

        /** Taints the nodes register with, each {@code key=value:Effect} or {@code key:Effect}. */
        Optional<List<String>> taints();

        /** Extra Hetzner labels on the servers (ownership labels are added on top). */
        Map<String, @WithConverter(VerbatimString.class) String> serverLabels();

        /** Firewall ids or names attached to every server. */
        Optional<List<String>> firewalls();

        /** Network ids or names the servers join. */
        Optional<List<String>> networks();

        /** Placement group id or name. */
        Optional<String> placementGroup();

        /** Whether servers get a public IPv4 address. */
        @WithName("public-ipv4")
        @WithDefault("true")
        boolean publicIpv4();

        /** Whether servers get a public IPv6 address. */
        @WithName("public-ipv6")
        @WithDefault("true")
        boolean publicIpv6();

        /** How long a server may take to register as a Node before it is reaped. */
        @WithDefault("15m")
        Duration maxProvisionTime();

        /** The pool's own CA autoscaling options (unset ones follow CA's flags). */
        Autoscaling autoscaling();

        /** Talos strategic-merge patches: inline YAML, or {@code @/path/to/patch.yaml}; use indexed keys ({@code [0]}). */
        Optional<List<String>> talosPatches();
    }

    /** {@code talosburst.pools.<id>.image.*}: an explicit image id, a label selector, or the newest Talos snapshot of a version. */
    interface Image {
        /** Explicit Hetzner image (snapshot) id. */
        OptionalLong id();

        /** Hetzner label selector of the snapshot, e.g. {@code os=talos,version=v1.11.6}. */
        Optional<String> selector();

        /** Shorthand for {@code selector=os=talos,version=<talos-version>}. */
        Optional<String> talosVersion();
    }

    /** {@code talosburst.pools.<id>.autoscaling.*}: CA's per-node-group options. */
    interface Autoscaling {
        Optional<Double> scaleDownUtilizationThreshold();

        Optional<Double> scaleDownGpuUtilizationThreshold();

        Optional<Duration> scaleDownUnneededTime();

        Optional<Duration> scaleDownUnreadyTime();

        Optional<Duration> maxNodeProvisionTime();

        Optional<Boolean> zeroOrMaxNodeScaling();

        Optional<Boolean> ignoreDaemonsetsUtilization();
    }

    /** {@code talosburst.grpc.*}: transport of the CloudProvider service. */
    interface Grpc {
        /**
         * Plaintext gRPC; only allowed on a loopback host. Otherwise mTLS with client certificates required. Unset: plaintext
         * exactly when the embedded simulator is used (see {@link GrpcTransport#plaintext}).
         */
        Optional<Boolean> plaintext();

        /** Address the gRPC server binds to. */
        @WithDefault(GrpcTransport.DEFAULT_HOST)
        String host();

        /** Port the gRPC server listens on (plaintext or TLS). */
        @WithDefault(GrpcTransport.DEFAULT_PORT)
        int port();

        /** PEM files for mTLS. */
        Tls tls();
    }

    /** {@code talosburst.grpc.tls.*}: PEM paths. */
    interface Tls {
        /** Server certificate chain (PEM); its SANs must include the host in CA's {@code address}. */
        Optional<Path> cert();

        /** Server private key (PEM). */
        Optional<Path> key();

        /** CA certificate(s) (PEM) that client certificates must chain to. */
        Optional<Path> clientCa();

        /** How often the PEM files are re-read, so renewed certificates are served without a restart. */
        @WithDefault(GrpcTransport.DEFAULT_TLS_RELOAD_PERIOD)
        Duration reloadPeriod();
    }

    /** {@code talosburst.management.*}: the management interface (health, metrics). */
    interface Management {
        /** Bind address; unset: the gRPC host when gRPC is plaintext (loopback), else {@code 0.0.0.0}. */
        Optional<String> host();

        /** Port of {@code /q/health} and {@code /q/metrics}. */
        @WithDefault(GrpcTransport.DEFAULT_MANAGEMENT_PORT)
        int port();
    }

    /** {@code talosburst.hcloud.*}. */
    interface Hcloud {
        /** Serve Hetzner from the in-process simulator (the demo profile, tests); no real servers are created. */
        @WithDefault("false")
        boolean embeddedSimulator();

        /** Hetzner Cloud API base URL. */
        @WithDefault("https://api.hetzner.cloud/v1")
        String endpoint();

        /** Hetzner Cloud API token (read/write); required unless the embedded simulator is used. Never logged. */
        Optional<String> token();

        /** The project's request budget per hour (Hetzner: 3600), shared with every other tool using the project. */
        @WithDefault("3600")
        int budgetPerHour();

        /** The share (0–1] of that budget talos-burst may spend; the rest is left to the other tools. */
        @WithDefault("0.5")
        double budgetShare();
    }

    /** {@code talosburst.talos.*}. */
    interface Talos {
        /** The cluster's worker machine config ({@code talosctl gen config --output-types worker}); holds join secrets. */
        Optional<Path> workerConfig();

        /** Directory of Talos JSON Schemas per minor version, to validate rendered user-data against. */
        Optional<Path> schemaDir();

        /** The Talos version the worker config is for (e.g. {@code v1.13.9}); detected from the config when unset. */
        Optional<String> talosVersion();

        /**
         * Explicit opt-in to boot real Hetzner servers with the demo user-data when no worker config is set (testing
         * talos-burst itself: the servers never join a cluster and are billed until deleted).
         */
        @WithDefault("false")
        boolean demoUserData();
    }

    /** {@code talosburst.engine.*}. */
    interface Engine {
        /** The shortest interval between full lists of the fleet (stretched with its size to keep within the budget). */
        @WithDefault("5m")
        Duration resyncInterval();

        /** How often servers being created are looked at until they run (one status-filtered list, a GET each that changed). */
        @WithDefault("2s")
        Duration inFlightPollInterval();

        /** How long a pool is not tried after Hetzner reported it out of resources. */
        @WithDefault("5m")
        Duration outOfResourcesBackoff();

        /** Server creations in flight at once. */
        @WithDefault("4")
        int createConcurrency();

        /** Wait before a creation that failed transiently is tried again (with the same server name). */
        @WithDefault("30s")
        Duration createRetryBackoff();
    }

    /** {@code talosburst.reaper.*}. */
    interface Reaper {
        /** Reap servers that never registered within the pool's max provision time, or failed. */
        @WithDefault("true")
        boolean enabled();

        /** Only log and emit what would be reaped. */
        @WithDefault("false")
        boolean dryRun();

        /** How long a server may sit in initializing, off or unknown before it is reaped. */
        @WithDefault("10m")
        Duration stuckAfter();
    }

    /** {@code talosburst.events.*}: node lifecycle events as CloudEvents on Kafka. */
    interface Events {
        /** Kafka bootstrap servers; unset: events are not published (a warning says so). */
        Optional<String> bootstrapServers();

        /** The event topic; the compacted state topic is {@code <topic>.state}. */
        @WithDefault("talos-burst.node-lifecycle.v1")
        String topic();

        /** Local append-only journal (a persistent volume): events wait there while Kafka is unreachable, across crashes. */
        Optional<Path> journalDir();

        /** Events held in memory before they wait in the journal only. */
        @WithDefault("10000")
        int queueCapacity();

        /** Backlog size at which readiness reports the publisher unhealthy. */
        @WithDefault("1000")
        int backlogWarnThreshold();

        /**
         * How long no Kafka broker may answer (after a failed attempt) before the {@code lifecycle-events} readiness
         * check goes down.
         */
        @WithDefault("5m")
        Duration unreachableAfter();

        /** Create the topics when missing. */
        @WithDefault("true")
        boolean createTopics();

        /** Partitions of a created event topic. */
        @WithDefault("6")
        int partitions();

        /** Replication factor of created topics. */
        @WithDefault("3")
        short replicationFactor();

        /** How often what exists is compared with what was published, publishing what is missing. */
        @WithDefault("10m")
        Duration reconcileInterval();

        /** Extra Kafka client properties (security, SASL), e.g. {@code talosburst.events.kafka."security.protocol"=SASL_SSL}. */
        Map<String, @WithConverter(VerbatimString.class) String> kafka();
    }
}
