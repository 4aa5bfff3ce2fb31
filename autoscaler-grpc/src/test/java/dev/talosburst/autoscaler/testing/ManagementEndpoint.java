package dev.talosburst.autoscaler.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.eclipse.microprofile.config.ConfigProvider;

/** GETs from the running application's management interface (health, metrics) on its test port. */
public final class ManagementEndpoint {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ManagementEndpoint() {}

    public static HttpResponse<String> get(String path) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
