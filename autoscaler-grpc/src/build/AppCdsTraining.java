import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc.CloudProviderBlockingStub;
import dev.talosburst.proto.externalgrpc.GPULabelRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupAutoscalingOptionsRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupNodesRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTargetSizeRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupTemplateNodeInfoRequest;
import dev.talosburst.proto.externalgrpc.NodeGroupsRequest;
import dev.talosburst.proto.externalgrpc.RefreshRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Build step (run by the JDK's source launcher at {@code package}): writes {@code quarkus-app/app-cds.jsa}, a dynamic
 * AppCDS archive of the classes a real start-up loads, by starting the packaged jar once in the demo profile (embedded
 * simulator, loopback ports) with {@code -XX:ArchiveClassesAtExit}, asking it what cluster-autoscaler and the kubelet ask
 * first (the read RPCs over plaintext gRPC, the health and metrics endpoints) and stopping it. Run on the application's
 * own classpath ({@code quarkus-app/lib/main/*}) for the gRPC client and the generated stubs.
 *
 * <p>Quarkus' own {@code quarkus.package.jar.appcds.enabled} stops its training run before the application's beans
 * start; on JDK 17 the archive it writes for this application is mapped but serves none of its classes. Never fails the
 * build: without an archive the jar starts as before ({@code -XX:SharedArchiveFile} naming a missing file is ignored).
 */
public final class AppCdsTraining {

    public static void main(String[] args) throws Exception {
        // the training calls log nothing: SLF4J (in the gRPC client's jars) without its JBoss binding, which needs the app's log manager
        System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        Path app = Path.of(args[0]).toAbsolutePath();
        Path archive = app.resolve("app-cds.jsa");
        Files.deleteIfExists(archive);
        try {
            train(app, archive);
            System.out.printf("[INFO] AppCDS archive %s (%d MiB): start with java -XX:SharedArchiveFile=%s -jar %s%n", archive,
                    Files.size(archive) >> 20, archive, app.resolve("quarkus-run.jar"));
        } catch (Exception e) {
            Files.deleteIfExists(archive);
            System.out.println("[WARNING] no AppCDS archive (" + e.getMessage() + "); the jar starts without it, only slower");
        }
    }

    private static void train(Path app, Path archive) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int grpcPort = freePort();
        int managementPort = freePort();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-XX:ArchiveClassesAtExit=" + archive, "-Dquarkus.profile=demo",
                "-Dtalosburst.grpc.port=" + grpcPort, "-Dtalosburst.management.port=" + managementPort, "-jar",
                app.resolve("quarkus-run.jar").toString()));
        // The JVM (17) records the jar's absolute path: the archive serves this directory, not a copy of it elsewhere (a
        // relative path serves neither). A temporary working directory: no config/application.properties of the caller.
        Path workDir = Files.createTempDirectory("talos-burst-appcds");
        builder.directory(workDir.toFile());
        Process process = builder.redirectErrorStream(true).start();
        try {
            AtomicBoolean seen = new AtomicBoolean();
            CompletableFuture<Boolean> started = CompletableFuture.supplyAsync(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (System.getenv("APPCDS_DEBUG") != null) {
                            System.out.println(line);
                        }
                        if (!seen.get() && line.contains(" started in ")) {
                            seen.set(true);
                            new Thread(() -> exerciseAndStop(process, grpcPort, managementPort)).start();
                        }
                    }
                } catch (IOException e) {
                    // the JDK closes the pipe once the process has exited
                }
                return seen.get();
            });
            if (!started.get(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training start did not reach 'started in' (exit " + process.waitFor() + ")");
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the training start did not stop");
            }
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException("the JVM wrote no archive (exit " + process.exitValue() + ")");
            }
        } finally {
            process.destroyForcibly();
            Files.deleteIfExists(workDir);
        }
    }

    /**
     * Calls what cluster-autoscaler calls first (its loop starts with Refresh and NodeGroups) and what probes and
     * Prometheus fetch, so the classes of the first answers are archived too, then asks for an orderly exit, which writes
     * the archive. A call that fails (the view not built yet) is simply tried again in the next round.
     */
    private static void exerciseAndStop(Process process, int grpcPort, int managementPort) {
        try {
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
            HttpClient http = HttpClient.newHttpClient();
            try {
                for (int round = 0; round < 20; round++) {
                    if (round == 19) {
                        System.out.println("[WARNING] AppCDS training: not every first call was answered in 5 s");
                    }
                    if (exercise(CloudProviderGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS), http,
                            managementPort) && round >= 2) {
                        break;
                    }
                    Thread.sleep(250);
                }
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            System.out.println("[WARNING] AppCDS training: the gRPC calls failed (" + e + "); the archive covers the start-up only");
        } finally {
            process.destroy();
        }
    }

    /** One round of calls; true when every one was answered. */
    private static boolean exercise(CloudProviderBlockingStub ca, HttpClient http, int managementPort) throws InterruptedException {
        String pool = "cx22-fsn1"; // a pool of the demo profile
        List<Runnable> calls = List.of(
                () -> ca.gPULabel(GPULabelRequest.getDefaultInstance()),
                () -> ca.refresh(RefreshRequest.getDefaultInstance()),
                () -> ca.nodeGroups(NodeGroupsRequest.getDefaultInstance()),
                () -> ca.nodeGroupTargetSize(NodeGroupTargetSizeRequest.newBuilder().setId(pool).build()),
                () -> ca.nodeGroupNodes(NodeGroupNodesRequest.newBuilder().setId(pool).build()),
                () -> ca.nodeGroupGetOptions(NodeGroupAutoscalingOptionsRequest.newBuilder().setId(pool).build()),
                () -> ca.nodeGroupTemplateNodeInfo(NodeGroupTemplateNodeInfoRequest.newBuilder().setId(pool).build()));
        boolean all = true;
        for (Runnable call : calls) {
            try {
                call.run();
            } catch (RuntimeException e) {
                all = false;
            }
        }
        for (String path : List.of("/q/health/ready", "/q/metrics")) {
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + path)).build(),
                        HttpResponse.BodyHandlers.discarding());
            } catch (IOException e) {
                all = false;
            }
        }
        return all;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
