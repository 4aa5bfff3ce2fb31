package dev.talosburst.hcloudsim;

import java.util.List;
import java.util.Optional;

/** Resolves "ID or name" references (numeric strings are IDs) against the project's catalogue. */
final class CatalogueLookup {

    private final ProjectState state;

    CatalogueLookup(ProjectState state) {
        this.state = state;
    }

    Optional<SimulatedServerType> serverType(String ref) {
        Long id = asId(ref);
        return state.serverTypes.values().stream()
                .filter(t -> id != null ? t.id() == id : t.name().equals(ref))
                .findFirst();
    }

    Optional<SimulatedLocation> location(String ref) {
        Long id = asId(ref);
        return state.locations.values().stream()
                .filter(l -> id != null ? l.id() == id : l.name().equals(ref))
                .findFirst();
    }

    Optional<SshKey> sshKey(String ref) {
        Long id = asId(ref);
        return state.sshKeys.values().stream()
                .filter(k -> id != null ? k.id() == id : k.name().equals(ref))
                .findFirst();
    }

    /**
     * The image a server of {@code type} boots from: by ID, or by name choosing the variant of the type's
     * architecture (system images share names across architectures). 422 naming {@code image} otherwise.
     */
    SimulatedImage imageFor(String ref, SimulatedServerType type) {
        Long id = asId(ref);
        List<SimulatedImage> candidates = state.images.values().stream()
                .filter(i -> id != null ? i.id() == id : ref.equals(i.name()))
                .filter(i -> !i.status().equals("unavailable"))
                .toList();
        if (candidates.isEmpty()) {
            throw ApiException.invalidInput("image", "image '" + ref + "' not found");
        }
        SimulatedImage image = candidates.stream()
                .filter(i -> i.architecture().equals(type.architecture()))
                .findFirst()
                .orElseThrow(() -> ApiException.invalidInput(
                        "image",
                        "image '" + ref + "' is built for " + candidates.get(0).architecture() + " but server type "
                                + type.name() + " is " + type.architecture()));
        if (!image.status().equals("available")) {
            throw ApiException.invalidInput(
                    "image", "image " + image.id() + " is " + image.status() + ", not available");
        }
        return image;
    }

    static Long asId(String ref) {
        if (ref != null && ref.matches("\\d{1,18}")) {
            return Long.parseLong(ref);
        }
        return null;
    }
}
