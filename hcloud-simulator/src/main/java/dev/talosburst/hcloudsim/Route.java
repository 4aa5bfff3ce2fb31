package dev.talosburst.hcloudsim;

import java.util.function.Function;
import java.util.regex.Pattern;

/** One API endpoint: method, path pattern (groups capture ids) and handler. */
record Route(String method, Pattern path, Function<ParsedRequest, ApiResponse> handler) {

    static Route of(String method, String pathRegex, Function<ParsedRequest, ApiResponse> handler) {
        return new Route(method, Pattern.compile(pathRegex), handler);
    }
}
