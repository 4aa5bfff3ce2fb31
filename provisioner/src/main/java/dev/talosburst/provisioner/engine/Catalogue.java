package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApi;
import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.Firewall;
import dev.talosburst.provisioner.cloud.Image;
import dev.talosburst.provisioner.cloud.ImageQuery;
import dev.talosburst.provisioner.cloud.Location;
import dev.talosburst.provisioner.cloud.Network;
import dev.talosburst.provisioner.cloud.PlacementGroup;
import dev.talosburst.provisioner.cloud.ServerType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What Hetzner offers, cached so RPCs never wait on Hetzner: server types with prices, images per
 * selector and architecture, and firewall/network/placement-group names resolved to ids.
 */
final class Catalogue {
    private static final Duration SERVER_TYPES_TTL = Duration.ofHours(1);
    private static final Duration IMAGES_TTL = Duration.ofMinutes(10);

    private final CloudApi cloud;
    private final Clock clock;
    private volatile Map<String, ServerType> serverTypes = Map.of();
    private volatile Instant serverTypesLoadedAt;
    private final Map<String, CachedImage> images = new ConcurrentHashMap<>();
    private final Map<String, Long> resolvedIds = new ConcurrentHashMap<>();

    private record CachedImage(Image image, Instant loadedAt) {}

    Catalogue(CloudApi cloud, Clock clock) {
        this.cloud = cloud;
        this.clock = clock;
    }

    /** Reloads server types when older than their TTL (one request). */
    void refreshServerTypesIfStale() {
        Instant loaded = serverTypesLoadedAt;
        if (loaded == null || Duration.between(loaded, clock.instant()).compareTo(SERVER_TYPES_TTL) >= 0) {
            Map<String, ServerType> byName = new ConcurrentHashMap<>();
            for (ServerType type : cloud.serverTypes()) {
                byName.put(type.name(), type);
            }
            serverTypes = Map.copyOf(byName);
            serverTypesLoadedAt = clock.instant();
        }
    }

    boolean serverTypesLoaded() {
        return serverTypesLoadedAt != null;
    }

    Optional<ServerType> serverType(String name) {
        return Optional.ofNullable(serverTypes.get(name));
    }

    /** Every server type name Hetzner offers, sorted (for messages). */
    List<String> serverTypeNames() {
        return serverTypes.keySet().stream().sorted().toList();
    }

    /** The location names Hetzner has (one request, not cached: only the start-up check asks). */
    List<String> locationNames() {
        return cloud.locations().stream().map(Location::name).sorted().toList();
    }

    /** The names and ids of the project's firewalls, networks or placement groups. */
    record ProjectObjects(String kind, List<String> names, java.util.Set<Long> ids) {
        boolean has(String nameOrId) {
            return nameOrId.chars().allMatch(Character::isDigit)
                    ? ids.contains(Long.parseLong(nameOrId))
                    : names.contains(nameOrId);
        }
    }

    /** Every firewall of the project (one request; start-up check only). */
    ProjectObjects firewalls() {
        List<Firewall> all = cloud.firewalls(null, null);
        return objects(
                "firewall",
                all.stream().map(Firewall::name).toList(),
                all.stream().map(Firewall::id).toList());
    }

    /** Every network of the project (one request; start-up check only). */
    ProjectObjects networks() {
        List<Network> all = cloud.networks(null, null);
        return objects(
                "network",
                all.stream().map(Network::name).toList(),
                all.stream().map(Network::id).toList());
    }

    /** Every placement group of the project (one request; start-up check only). */
    ProjectObjects placementGroups() {
        List<PlacementGroup> all = cloud.placementGroups(null, null);
        return objects(
                "placement group",
                all.stream().map(PlacementGroup::name).toList(),
                all.stream().map(PlacementGroup::id).toList());
    }

    private static ProjectObjects objects(String kind, List<String> names, List<Long> ids) {
        return new ProjectObjects(
                kind, names.stream().filter(java.util.Objects::nonNull).sorted().toList(), java.util.Set.copyOf(ids));
    }

    /**
     * The newest image matching the selector for an architecture (or the explicit id).
     *
     * @throws CloudApiException NOT_FOUND-kind with an actionable message when nothing matches
     */
    long imageFor(Long explicitId, String selector, String hetznerArchitecture) {
        if (explicitId != null) {
            return explicitId;
        }
        return newestImage(selector, hetznerArchitecture).id();
    }

    /**
     * The newest available snapshot matching the selector for an architecture (cached for a while).
     *
     * @throws CloudApiException NOT_FOUND-kind with an actionable message when nothing matches
     */
    Image newestImage(String selector, String hetznerArchitecture) {
        String key = selector + "|" + hetznerArchitecture;
        CachedImage cached = images.get(key);
        Instant now = clock.instant();
        if (cached == null || Duration.between(cached.loadedAt(), now).compareTo(IMAGES_TTL) >= 0) {
            List<Image> found = cloud.images(ImageQuery.snapshots(selector, hetznerArchitecture));
            Image newest = found.stream()
                    .filter(i -> i.status() == null || "available".equals(i.status()))
                    .findFirst()
                    .orElseThrow(() -> new CloudApiException(
                            CloudApiException.Kind.NOT_FOUND,
                            "image_not_found",
                            0,
                            "no available snapshot matches label selector '" + selector + "' for architecture "
                                    + hetznerArchitecture
                                    + "; build a Talos snapshot with those labels or set the pool's image id",
                            null));
            cached = new CachedImage(newest, now);
            images.put(key, cached);
        }
        return cached.image();
    }

    /** One image by id (cached for a while, like the selectors' snapshots); empty when the project cannot see it. */
    Optional<Image> image(long id) {
        String key = "id:" + id;
        CachedImage cached = images.get(key);
        Instant now = clock.instant();
        if (cached == null || Duration.between(cached.loadedAt(), now).compareTo(IMAGES_TTL) >= 0) {
            Optional<Image> found = cloud.image(id);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            cached = new CachedImage(found.get(), now);
            images.put(key, cached);
        }
        return Optional.of(cached.image());
    }

    List<Long> firewallIds(List<String> namesOrIds) {
        return resolveAll(
                namesOrIds,
                "firewall",
                name -> cloud.firewalls(name, null).stream().findFirst().map(Firewall::id));
    }

    List<Long> networkIds(List<String> namesOrIds) {
        return resolveAll(
                namesOrIds,
                "network",
                name -> cloud.networks(name, null).stream().findFirst().map(Network::id));
    }

    Long placementGroupId(String nameOrId) {
        if (nameOrId == null || nameOrId.isBlank()) {
            return null;
        }
        return resolveAll(
                        List.of(nameOrId),
                        "placement group",
                        name -> cloud.placementGroups(name, null).stream()
                                .findFirst()
                                .map(PlacementGroup::id))
                .get(0);
    }

    private List<Long> resolveAll(List<String> namesOrIds, String kind, Function<String, Optional<Long>> lookup) {
        List<Long> ids = new ArrayList<>();
        for (String value : namesOrIds) {
            if (value.chars().allMatch(Character::isDigit)) {
                ids.add(Long.parseLong(value));
                continue;
            }
            Long id = resolvedIds.get(kind + "/" + value);
            if (id == null) {
                id = lookup.apply(value)
                        .orElseThrow(() -> new CloudApiException(
                                CloudApiException.Kind.NOT_FOUND,
                                "not_found",
                                404,
                                kind + " '" + value
                                        + "' does not exist in the Hetzner project; create it or fix the pool configuration",
                                null));
                resolvedIds.put(kind + "/" + value, id);
            }
            ids.add(id);
        }
        return ids;
    }
}
