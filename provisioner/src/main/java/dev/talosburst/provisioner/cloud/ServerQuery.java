package dev.talosburst.provisioner.cloud;

import java.util.List;

/**
 * Filters for {@code GET /servers}; null / empty means "no filter".
 *
 * @param sort e.g. {@code id:asc}, {@code created:desc}
 */
public record ServerQuery(String labelSelector, String name, List<ServerStatus> statuses, List<String> sort) {
    public ServerQuery {
        statuses = List.copyOf(statuses == null ? List.of() : statuses);
        sort = List.copyOf(sort == null ? List.of() : sort);
    }

    public static ServerQuery byLabels(String labelSelector) {
        return new ServerQuery(labelSelector, null, List.of(), List.of());
    }

    public static ServerQuery byName(String name) {
        return new ServerQuery(null, name, List.of(), List.of());
    }
}
