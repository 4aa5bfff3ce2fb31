package dev.talosburst.provisioner.pool;

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
}
