package dev.talosburst.provisioner.cloud;

import java.util.List;
import java.util.Optional;

/**
 * The slice of the Hetzner Cloud API talos-burst uses (the domain's only way to Hetzner).
 *
 * <p>Implementations spend the project's 3600 requests/hour budget carefully, retry only what is
 * safe to retry, and throw {@link CloudApiException} with a {@link CloudApiException.Kind} the
 * domain can act on. No method ever puts the API token into an exception, log line or metric.
 */
public interface CloudApi {

    /**
     * Creates a server. A retry after a lost or failed response reuses the same name, so it can never
     * create a second server; when Hetzner answers {@code uniqueness_error} and the existing server
     * carries every label of {@code spec.labels()} with the same value, that server is adopted
     * ({@link CreatedServer#adopted()} is true). Otherwise {@code uniqueness_error} is thrown as
     * {@link CloudApiException.Kind#ALREADY_EXISTS}.
     */
    CreatedServer createServer(ServerSpec spec);

    /** One server by id; empty when Hetzner says {@code not_found}. */
    Optional<Server> server(long id);

    /** Every server matching the query, following all pages at per_page=50. */
    List<Server> servers(ServerQuery query);

    /** Deletes a server; empty when it is already gone (deletion is idempotent). */
    Optional<Action> deleteServer(long id);

    /** All server types with per-location prices and availability. */
    List<ServerType> serverTypes();

    /** All locations. */
    List<Location> locations();

    /** Images matching the query, newest first. */
    List<Image> images(ImageQuery query);

    /** One image by id; empty when the project cannot see it. */
    Optional<Image> image(long id);

    /** Firewalls, optionally filtered by exact name and/or label selector (null = no filter). */
    List<Firewall> firewalls(String name, String labelSelector);

    /** Networks, optionally filtered by exact name and/or label selector (null = no filter). */
    List<Network> networks(String name, String labelSelector);

    /** Placement groups, optionally filtered by exact name and/or label selector (null = no filter). */
    List<PlacementGroup> placementGroups(String name, String labelSelector);

    /** What guards the servers endpoints right now (readiness: an open guard means no server can be created or listed). */
    default CallGuard serversGuard() {
        return CallGuard.NONE;
    }
}
