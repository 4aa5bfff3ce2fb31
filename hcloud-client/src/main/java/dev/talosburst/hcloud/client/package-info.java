/**
 * The Hetzner Cloud HTTP adapter behind the {@link dev.talosburst.provisioner.cloud.CloudApi} port.
 *
 * <p>Entry points: {@link dev.talosburst.hcloud.client.HcloudClient} (the port over {@code java.net.http}),
 * {@link dev.talosburst.hcloud.client.HcloudSettings} (endpoint, {@link dev.talosburst.hcloud.client.ApiToken},
 * patience knobs) and {@link dev.talosburst.hcloud.client.Sleeper} (how waiting happens; tests pass a virtual one).
 *
 * <p>Every attempt goes: circuit breaker of its {@link dev.talosburst.hcloud.client.EndpointFamily} (open = fail fast,
 * nothing sent) → bulkhead slot → one unit of the {@link dev.talosburst.hcloud.client.RequestBudget} (a token bucket
 * mirroring Hetzner's 3600/h, lowered by {@code RateLimit-Remaining}, blocked after a 429 until the next refill or the
 * reset-derived time) → HTTP. Failures become {@link dev.talosburst.provisioner.cloud.CloudApiException}s with a kind;
 * only retryable ones are retried (Resilience4j Retry driven through its async context so backoff sleeps go through the
 * injected sleeper). A create is retried with the same body, so a lost answer ends in {@code uniqueness_error} and the
 * existing server is adopted when it carries every label of the spec.
 *
 * <p>Meters: {@code talosburst.hcloud.requests{endpoint,method,status}}, {@code talosburst.hcloud.request.duration{endpoint,method,status}},
 * {@code talosburst.hcloud.ratelimit.remaining|limit|reported.remaining}, {@code talosburst.hcloud.ratelimit.wait}, plus Resilience4j's tagged circuit breaker,
 * retry and bulkhead meters. Endpoint tags are templates ({@code /servers/{id}}); the token and user-data appear nowhere
 * but in the request itself.
 *
 * <p>May import: JDK, Jackson, Resilience4j, Micrometer, jboss-logging and the {@code cloud} port. Never Quarkus, Kafka or
 * Kubernetes clients. Tested against the project's Hetzner simulator over real HTTP on 127.0.0.1.
 */
package dev.talosburst.hcloud.client;
