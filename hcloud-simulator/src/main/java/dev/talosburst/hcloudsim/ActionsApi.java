package dev.talosburst.hcloudsim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /actions}: get by id, and the multi-get by repeated {@code id} that clients poll. */
final class ActionsApi {

    private final ProjectState state;
    private final Representations json;

    ActionsApi(ProjectState state, Representations json) {
        this.state = state;
        this.json = json;
    }

    List<Route> routes() {
        return List.of(
                Route.of("GET", "/v1/actions", this::list),
                Route.of("GET", "/v1/actions/([^/]+)", this::get),
                Route.of("GET", "/v1/servers/actions/([^/]+)", this::get));
    }

    private ApiResponse list(ParsedRequest req) {
        List<String> ids = req.params("id");
        if (ids.isEmpty()) {
            // Listing all actions was removed on 2025-01-30; the id filter is mandatory.
            throw ApiException.invalidInput("id", "the id filter is required: GET /actions?id=1&id=2");
        }
        List<SimAction> found = new ArrayList<>();
        for (String raw : ids) {
            Long id = CatalogueLookup.asId(raw);
            if (id == null) {
                throw ApiException.invalidInput("id", "action id must be a number, got '" + raw + "'");
            }
            SimAction a = state.action(id);
            if (a != null && !found.contains(a)) {
                found.add(a);
            }
        }
        // The multi-get answers without meta (spec: get_multiple_actions_response); hcloud-go sends page=1 anyway.
        ObjectNode out = Json.MAPPER.createObjectNode();
        var array = out.putArray("actions");
        sorted(req, found, state).forEach(a -> array.add(json.action(a)));
        return new ApiResponse(200, out);
    }

    private ApiResponse get(ParsedRequest req) {
        long id = req.idFromPath(1, "action");
        SimAction a = ApiException.found(state.action(id), "action", id);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.set("action", json.action(a));
        return new ApiResponse(200, out);
    }

    static List<SimAction> sorted(ParsedRequest req, List<SimAction> actions, ProjectState state) {
        Instant now = state.now();
        Map<String, Comparator<SimAction>> fields = new LinkedHashMap<>();
        fields.put("id", Comparator.comparingLong(SimAction::id));
        fields.put("command", Comparator.comparing(SimAction::command));
        fields.put("status", Comparator.comparing(a -> a.status(now)));
        fields.put("started", Comparator.comparing(SimAction::started));
        fields.put("finished", Comparator.comparing(SimAction::finishAt));
        fields.put("progress", Comparator.comparingInt(a -> a.progress(now)));
        return ListQuery.sort(req, actions, fields, Comparator.comparingLong(SimAction::id));
    }
}
