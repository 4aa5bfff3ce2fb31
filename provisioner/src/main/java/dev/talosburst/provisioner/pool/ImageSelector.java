package dev.talosburst.provisioner.pool;

import java.util.ArrayList;
import java.util.List;

/**
 * Which image a pool's servers boot: an explicit image id, or the newest snapshot matching a label
 * selector for the server type's architecture.
 *
 * @param imageId explicit image id, or null
 * @param labelSelector e.g. {@code os=talos,version=v1.11.6}; used when imageId is null
 */
public record ImageSelector(Long imageId, String labelSelector) {

    public ImageSelector {
        if (imageId == null && (labelSelector == null || labelSelector.isBlank())) {
            labelSelector = "os=talos";
        }
    }

    /** The newest Talos snapshot, optionally of a version such as {@code v1.11.6}. */
    public static ImageSelector talos(String version) {
        return new ImageSelector(
                null, version == null || version.isBlank() ? "os=talos" : "os=talos,version=" + version);
    }

    /**
     * Every problem with this choice of image, each naming the option to fix ({@code optionPrefix} e.g.
     * {@code talosburst.pools.<id>.image}); empty when valid.
     */
    public List<String> problems(String optionPrefix) {
        List<String> problems = new ArrayList<>();
        if (imageId != null && labelSelector != null) {
            // Both set is ambiguous: which one boots would be a silent guess.
            problems.add(optionPrefix + ": set only one of image.id, image.selector and image.talos-version");
        }
        if (imageId != null && imageId <= 0) {
            problems.add(optionPrefix + ".id: " + imageId + " is not a Hetzner image id (a positive number)");
        }
        return problems;
    }
}
