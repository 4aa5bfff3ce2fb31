/**
 * Talos worker user-data: turns the cluster's worker machine config into one node's Hetzner {@code user_data}.
 *
 * <p><b>Entry points.</b> {@link dev.talosburst.talos.workerconfig.WorkerConfig#load(java.nio.file.Path,
 * java.util.Optional)} reads {@code worker.yaml} as {@code talosctl gen config --with-kubespan --output-types worker}
 * writes it (mounted from a Secret) and decides its Talos version;
 * {@link dev.talosburst.talos.workerconfig.WorkerConfigRenderer} renders a
 * {@link dev.talosburst.talos.workerconfig.NodeCustomization} (server name, pool labels, taints, pool patches) into
 * {@link dev.talosburst.talos.workerconfig.RenderedUserData}, and
 * {@link dev.talosburst.talos.workerconfig.WorkerConfigRenderer#checkPool(dev.talosburst.provisioner.pool.NodePool)}
 * renders a worst-case node of a pool at start-up so a bad pool fails start-up, not its first scale-up.
 * {@link dev.talosburst.talos.workerconfig.WorkerConfigUserData} adapts all of it to the engine's
 * {@link dev.talosburst.provisioner.userdata.UserDataSource} port.
 *
 * <p><b>Version.</b> An operator's {@code talos-version} wins (it may not be older than what the documents prove);
 * otherwise the document shape decides (1.14 documents such as KubeNodeConfig ⇒ 1.14; KubeSpanConfig, or
 * HostnameConfig without machine.network ⇒ 1.13; HostnameConfig with machine.network ⇒ 1.12; one document with
 * hostDNS.forwardKubeDNSToHost or clusterName ⇒ 1.8–1.11; hostDNS ⇒ 1.7; else 1.6), narrowed by the installer image
 * tag (exact) and the kubelet image tag (kubelet 1.K ⇒ Talos ≥ 1.(K−23)); a remaining range resolves to its oldest
 * version (never compressing for a Talos that cannot decode it) and the explanation asks for talos-version.
 *
 * <p><b>Rendering.</b> Pool patches (strategic merge, multi-document) are applied in order, then talos-burst's own
 * settings in the version's document model: labels {@code machine.nodeLabels} / 1.14 {@code KubeNodeConfig.labels};
 * taints kubelet {@code registerWithTaints} ({@code machine.kubelet.extraConfig} / 1.14 {@code KubeletConfig.config};
 * never {@code nodeTaints}, which workers may not set); hostname {@code machine.network.hostname} / 1.12+
 * {@code HostnameConfig{hostname, auto: off}}; KubeSpan {@code machine.network.kubespan.enabled} / 1.13+
 * {@code KubeSpanConfig}; discovery {@code cluster.discovery.enabled} / 1.14 Discovery*Config documents.
 * {@code persist} is dropped. A patch that touches what talos-burst owns, uses the other version's place, turns
 * KubeSpan or discovery off, sets nodeTaints, changes the join identity or contradicts the pool's labels is refused
 * with the patch's number and the field.
 *
 * <p><b>Validation.</b> Always: built-in checks of everything touched (label keys/values and NodeRestriction,
 * taint keys/values/effects and duplicates, RFC 1123 hostname, KubeSpan and discovery on, no field set in two
 * places). With a schema directory: each document against the {@code $defs} entry of its kind in that minor's Talos
 * JSON Schema (working around the 1.14.0-rc.1 UnattendedInstallConfig kind bug); findings already present in the
 * worker config as given (deprecated fields talosctl still writes) are tolerated and listed by
 * {@link dev.talosburst.talos.workerconfig.WorkerConfigRenderer#acceptedSchemaFindings()}.
 *
 * <p><b>Size.</b> Plain YAML without comments when ≤ 32768 bytes; otherwise base64(gzip) on Talos ≥ 1.9; otherwise
 * {@link dev.talosburst.talos.workerconfig.WorkerConfigException} with both sizes and the limit.
 *
 * <p><b>Secrets.</b> No exception message, detail or {@code toString()} contains a value of the worker config;
 * exceptions never chain third-party causes; nothing here logs.
 *
 * <p>May import: JDK, Jackson (YAML), networknt json-schema-validator, {@code dev.talosburst.provisioner.pool} and
 * the {@code UserDataSource} port of {@code dev.talosburst.provisioner.engine}.
 * Tests read the shared fixtures and schemas from {@code talos-burst.shared-dir} and skip when absent.
 */
package dev.talosburst.talos.workerconfig;
