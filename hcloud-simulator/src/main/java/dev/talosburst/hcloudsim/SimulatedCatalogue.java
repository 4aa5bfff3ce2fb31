package dev.talosburst.hcloudsim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Seeds and looks up what a project's API shows besides servers: locations, types, images, firewalls, networks. */
public final class SimulatedCatalogue {

    private final ProjectState state;

    SimulatedCatalogue(ProjectState state) {
        this.state = state;
    }

    /** All locations. */
    public List<SimulatedLocation> locations() {
        synchronized (state) {
            return List.copyOf(state.locations.values());
        }
    }

    /** A location by name. */
    public Optional<SimulatedLocation> location(String name) {
        return locations().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /** Adds a location; its id and name must be new. */
    public SimulatedLocation addLocation(SimulatedLocation location) {
        synchronized (state) {
            requireNew(
                    state.locations.containsKey(location.id())
                            || location(location.name()).isPresent(),
                    "location",
                    location.id(),
                    location.name());
            state.locations.put(location.id(), location);
            return location;
        }
    }

    /** All server types. */
    public List<SimulatedServerType> serverTypes() {
        synchronized (state) {
            return List.copyOf(state.serverTypes.values());
        }
    }

    /** A server type by name. */
    public Optional<SimulatedServerType> serverType(String name) {
        return serverTypes().stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Adds a server type; its id and name must be new and every priced location must exist. */
    public SimulatedServerType addServerType(SimulatedServerType type) {
        synchronized (state) {
            requireNew(
                    state.serverTypes.containsKey(type.id())
                            || serverType(type.name()).isPresent(),
                    "server type",
                    type.id(),
                    type.name());
            for (LocationPrice p : type.prices()) {
                if (location(p.location()).isEmpty()) {
                    throw new IllegalArgumentException("server type " + type.name() + " is priced in unknown location "
                            + p.location() + "; add the location first");
                }
            }
            state.serverTypes.put(type.id(), type);
            return type;
        }
    }

    /** All images, including deprecated ones. */
    public List<SimulatedImage> images() {
        synchronized (state) {
            return List.copyOf(state.images.values());
        }
    }

    /** An image by id. */
    public Optional<SimulatedImage> image(long id) {
        synchronized (state) {
            return Optional.ofNullable(state.images.get(id));
        }
    }

    /** Adds an image; its id must be new. */
    public SimulatedImage addImage(SimulatedImage image) {
        synchronized (state) {
            requireNew(state.images.containsKey(image.id()), "image", image.id(), image.description());
            state.images.put(image.id(), image);
            return image;
        }
    }

    /** Adds an available snapshot with a fresh id, e.g. labels {@code os=talos,version=v1.11.6,arch=amd64}. */
    public SimulatedImage addSnapshot(
            String description, String architecture, Instant created, Map<String, String> labels) {
        synchronized (state) {
            return addImage(new SimulatedImage(
                    state.nextResourceId(),
                    "snapshot",
                    "available",
                    null,
                    description,
                    architecture,
                    created,
                    labels,
                    20,
                    0.6,
                    "unknown",
                    null,
                    null));
        }
    }

    /** All firewalls. */
    public List<SimulatedFirewall> firewalls() {
        synchronized (state) {
            return List.copyOf(state.firewalls.values());
        }
    }

    /** Adds a firewall with a fresh id; the name must be new. */
    public SimulatedFirewall addFirewall(String name, Map<String, String> labels, List<SimulatedFirewallRule> rules) {
        synchronized (state) {
            requireNew(state.firewalls.values().stream().anyMatch(f -> f.name().equals(name)), "firewall", 0, name);
            SimulatedFirewall f =
                    new SimulatedFirewall(state.nextResourceId(), name, labels, state.now(), rules, List.of());
            state.firewalls.put(f.id(), f);
            return f;
        }
    }

    /** All networks. */
    public List<SimulatedNetwork> networks() {
        synchronized (state) {
            return List.copyOf(state.networks.values());
        }
    }

    /** Adds a network with a fresh id, e.g. {@code addNetwork("burst", "10.0.0.0/16", "eu-central", Map.of())}. */
    public SimulatedNetwork addNetwork(String name, String ipRange, String networkZone, Map<String, String> labels) {
        synchronized (state) {
            requireNew(state.networks.values().stream().anyMatch(n -> n.name().equals(name)), "network", 0, name);
            SimulatedNetwork n =
                    new SimulatedNetwork(state.nextResourceId(), name, ipRange, networkZone, labels, state.now());
            state.networks.put(n.id(), n);
            return n;
        }
    }

    /** All placement groups. */
    public List<SimulatedPlacementGroup> placementGroups() {
        synchronized (state) {
            return List.copyOf(state.placementGroups.values());
        }
    }

    /** Adds a spread placement group with a fresh id. */
    public SimulatedPlacementGroup addPlacementGroup(String name, Map<String, String> labels) {
        synchronized (state) {
            requireNew(
                    state.placementGroups.values().stream()
                            .anyMatch(p -> p.name().equals(name)),
                    "placement group",
                    0,
                    name);
            SimulatedPlacementGroup p = new SimulatedPlacementGroup(state.nextResourceId(), name, labels, state.now());
            state.placementGroups.put(p.id(), p);
            return p;
        }
    }

    /** All SSH keys. */
    public List<SshKey> sshKeys() {
        synchronized (state) {
            return List.copyOf(state.sshKeys.values());
        }
    }

    /** Adds an SSH key with a fresh id and an MD5-style fingerprint of the public key text. */
    public SshKey addSshKey(String name, String publicKey, Map<String, String> labels) {
        synchronized (state) {
            requireNew(state.sshKeys.values().stream().anyMatch(k -> k.name().equals(name)), "SSH key", 0, name);
            SshKey k = new SshKey(state.nextResourceId(), name, fingerprint(publicKey), publicKey, labels, state.now());
            state.sshKeys.put(k.id(), k);
            return k;
        }
    }

    private static String fingerprint(String publicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("MD5")
                    .digest(publicKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.ofDelimiter(":").formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requireNew(boolean exists, String what, long id, String name) {
        if (exists) {
            throw new IllegalArgumentException(what + " " + (id > 0 ? id + " / " : "") + name + " already exists");
        }
    }
}
