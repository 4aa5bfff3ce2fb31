package dev.talosburst.provisioner.engine;

import dev.talosburst.provisioner.cloud.CloudApiException;
import dev.talosburst.provisioner.cloud.Image;
import dev.talosburst.provisioner.cloud.ServerType;
import dev.talosburst.provisioner.pool.NodePool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The one check of every pool against what the Hetzner project offers, run once the catalogue is loaded: server type,
 * location, the type offered there, a snapshot for the image selector and the type's architecture, and the firewalls,
 * networks and placement group by name or id. Every problem names {@code talosburst.pools.<id>.<key>} and how to fix it.
 */
final class PoolCatalogueCheck {

    /** Every problem found, and the {@code version} label of the snapshot each pool boots (empty when unknown). */
    record Result(List<String> problems, Map<String, Optional<String>> bootedVersionLabels) {}

    private PoolCatalogueCheck() {}

    /**
     * @throws CloudApiException when Hetzner could not be asked (unreachable, token refused): nothing is concluded then
     */
    static Result check(List<NodePool> pools, Catalogue catalogue) {
        catalogue.refreshServerTypesIfStale();
        List<String> locations = catalogue.locationNames();
        boolean anyFirewall = pools.stream().anyMatch(p -> !p.firewalls().isEmpty());
        boolean anyNetwork = pools.stream().anyMatch(p -> !p.networks().isEmpty());
        boolean anyPlacement = pools.stream()
                .anyMatch(p -> p.placementGroup() != null && !p.placementGroup().isBlank());
        Catalogue.ProjectObjects firewalls = anyFirewall ? catalogue.firewalls() : null;
        Catalogue.ProjectObjects networks = anyNetwork ? catalogue.networks() : null;
        Catalogue.ProjectObjects placementGroups = anyPlacement ? catalogue.placementGroups() : null;

        List<String> problems = new ArrayList<>();
        Map<String, Optional<String>> booted = new LinkedHashMap<>();
        for (NodePool pool : pools) {
            booted.put(pool.id(), Optional.empty());
            String prefix = "talosburst.pools." + pool.id();
            ServerType type = catalogue.serverType(pool.serverType()).orElse(null);
            if (type == null) {
                problems.add(prefix + ".server-type: Hetzner has no server type '" + pool.serverType()
                        + "'; use one of " + String.join(", ", catalogue.serverTypeNames()));
            }
            if (!locations.contains(pool.location())) {
                problems.add(prefix + ".location: Hetzner has no location '" + pool.location() + "'; use one of "
                        + String.join(", ", locations));
            } else if (type != null && !offeredIn(type).contains(pool.location())) {
                problems.add(prefix + ".location: server type " + type.name() + " is not offered in " + pool.location()
                        + "; it is offered in " + String.join(", ", offeredIn(type))
                        + " (or choose another server-type)");
            }
            if (type != null && pool.image().imageId() != null) {
                explicitImage(prefix, pool.image().imageId(), type, catalogue)
                        .ifPresentOrElse(problems::add, () -> booted.put(pool.id(), versionOf(pool, catalogue)));
            } else if (type != null) {
                try {
                    Image image = catalogue.newestImage(pool.image().labelSelector(), type.architecture());
                    String version = image.labels().get("version");
                    if (version != null && !version.isBlank()) {
                        booted.put(pool.id(), Optional.of(version));
                    }
                } catch (CloudApiException e) {
                    if (e.kind() != CloudApiException.Kind.NOT_FOUND) {
                        throw e;
                    }
                    problems.add(
                            prefix + ".image: no available snapshot matches label selector '"
                                    + pool.image().labelSelector()
                                    + "' for architecture " + type.architecture() + " (server type " + type.name()
                                    + "); build a Talos snapshot with those labels, or fix image.selector / image.talos-version / image.id");
                }
            }
            missing(prefix + ".firewalls", pool.firewalls(), firewalls, problems);
            missing(prefix + ".networks", pool.networks(), networks, problems);
            if (placementGroups != null
                    && pool.placementGroup() != null
                    && !pool.placementGroup().isBlank()) {
                missing(
                        prefix + ".placement-group",
                        List.of(pool.placementGroup().trim()),
                        placementGroups,
                        problems);
            }
        }
        return new Result(List.copyOf(problems), java.util.Collections.unmodifiableMap(booted));
    }

    /** The problem with a pool's explicit {@code image.id}, if any: it must be an available image of the type's architecture. */
    private static Optional<String> explicitImage(String prefix, long id, ServerType type, Catalogue catalogue) {
        Optional<Image> found = catalogue.image(id);
        if (found.isEmpty()) {
            return Optional.of(prefix + ".image.id: Hetzner has no image " + id
                    + " visible to this project; use the id of a Talos snapshot in it (hcloud image list --type snapshot)"
                    + " or an image selector");
        }
        Image image = found.get();
        if (image.status() != null && !"available".equals(image.status())) {
            return Optional.of(prefix + ".image.id: image " + id + " is " + image.status()
                    + ", not available; wait for it or use another snapshot");
        }
        if (image.architecture() != null && !image.architecture().equals(type.architecture())) {
            return Optional.of(prefix + ".image.id: image " + id + " is built for " + image.architecture()
                    + " but server type " + type.name() + " is " + type.architecture()
                    + "; use a snapshot of that architecture or another server-type");
        }
        return Optional.empty();
    }

    private static Optional<String> versionOf(NodePool pool, Catalogue catalogue) {
        String version = catalogue
                .image(pool.image().imageId())
                .map(i -> i.labels().get("version"))
                .orElse(null);
        return version == null || version.isBlank() ? Optional.empty() : Optional.of(version);
    }

    /** Where a type can be ordered: its listed locations (2026 API), else the locations it has a price in. */
    private static List<String> offeredIn(ServerType type) {
        TreeSet<String> names = new TreeSet<>();
        type.locations().forEach(l -> names.add(l.location()));
        if (names.isEmpty()) {
            type.prices().forEach(p -> names.add(p.location()));
        }
        return List.copyOf(names);
    }

    private static void missing(
            String option, List<String> wanted, Catalogue.ProjectObjects existing, List<String> problems) {
        if (existing == null) {
            return;
        }
        for (String value : wanted) {
            String v = value.trim();
            if (!existing.has(v)) {
                problems.add(option + ": " + existing.kind() + " '" + v + "' does not exist in the Hetzner project; "
                        + (existing.names().isEmpty()
                                ? "there is none, create it in the Hetzner console"
                                : "existing: " + String.join(", ", existing.names()) + "; create it or fix the name"));
            }
        }
    }
}
