package dev.talosburst.provisioner.cloud;

/**
 * Filters for {@code GET /images}; null means "no filter". Results come newest first.
 *
 * @param type e.g. {@code snapshot}
 * @param architecture {@code x86} or {@code arm}
 */
public record ImageQuery(String type, String labelSelector, String architecture, String name) {
    public static ImageQuery snapshots(String labelSelector, String architecture) {
        return new ImageQuery("snapshot", labelSelector, architecture, null);
    }
}
