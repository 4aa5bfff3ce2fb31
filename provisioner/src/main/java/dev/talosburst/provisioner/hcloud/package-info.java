/**
 * The Hetzner Cloud HTTP adapter behind the {@link dev.talosburst.provisioner.cloud.CloudApi} port: wire format, error
 * classification, the client-side request budget (token bucket re-synchronised from {@code RateLimit-*}), retries, circuit
 * breakers per endpoint family, a bulkhead, Micrometer meters, and adoption of servers whose create answer was lost.
 *
 * <p>May import: JDK ({@code java.net.http}), Jackson, Resilience4j, Micrometer, jboss-logging and the {@code cloud} port.
 * Never Quarkus, Kafka or Kubernetes clients. Tested against the project's Hetzner simulator over real HTTP.
 */
package dev.talosburst.provisioner.hcloud;
