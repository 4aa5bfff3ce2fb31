package dev.talosburst.provisioner.userdata;

import dev.talosburst.provisioner.pool.NodePool;
import dev.talosburst.provisioner.pool.Taint;
import java.util.List;
import java.util.Map;

/** Produces the user-data (the Talos worker config) a new server boots with. */
public interface UserDataSource {

    /**
     * Renders the user-data for one server of a pool.
     *
     * @param nodeLabels every label the Node must register with (pool labels plus the template's topology labels)
     * @throws UserDataException when it cannot be rendered; the message never contains the config itself
     */
    String render(NodePool pool, String serverName, Map<String, String> nodeLabels, List<Taint> taints);

    /** Start-up check of a pool: every problem (e.g. a patch that breaks the schema), empty when fine. */
    default List<String> check(NodePool pool, Map<String, String> nodeLabels) {
        return List.of();
    }

    /**
     * Start-up, once the catalogue is loaded: the {@code version} label of the snapshot each pool boots (pool id to label,
     * empty when unknown, e.g. an explicit image id). The source renders each pool for the Talos version its image runs
     * and returns every problem (a config the image cannot read), each naming the option to change.
     */
    default List<String> bootedVersions(Map<String, java.util.Optional<String>> versionLabelByPool) {
        return List.of();
    }

    /** User-data could not be produced; the message is safe to log (no secrets). */
    class UserDataException extends RuntimeException {
        public UserDataException(String message) {
            super(message);
        }

        public UserDataException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
