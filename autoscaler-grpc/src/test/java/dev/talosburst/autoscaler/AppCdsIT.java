package dev.talosburst.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.talosburst.autoscaler.testing.PackagedApp;
import dev.talosburst.proto.externalgrpc.CloudProviderGrpc;
import dev.talosburst.proto.externalgrpc.GPULabelRequest;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The build writes {@code quarkus-app/app-cds.jsa} (src/build/AppCdsTraining.java) and the packaged jar started with
 * {@code -XX:SharedArchiveFile} (the README's run command) loads its classes from it, those of its first gRPC answer
 * included: the JVM's own class-load log says where each class came from.
 */
class AppCdsIT {

    private PackagedApp app;

    @AfterEach
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void thePackagedJarLoadsItsClassesFromTheArchiveTheBuildWrote() throws Exception {
        Path jar = Path.of(System.getProperty("talosburst.app.jar", "target/quarkus-app/quarkus-run.jar"))
                .toAbsolutePath();
        Path archive = jar.resolveSibling("app-cds.jsa");
        assertThat(archive)
                .as("the AppCDS archive the build writes beside the jar")
                .isRegularFile();
        Path classLog =
                Path.of("target", "packaged-runs", "appcds-class-load.log").toAbsolutePath();
        Files.createDirectories(classLog.getParent());
        Files.deleteIfExists(classLog);
        int grpcPort = PackagedApp.freePort();
        app = PackagedApp.named("appcds")
                .jvmOption("-XX:SharedArchiveFile=" + archive)
                .jvmOption("-Xlog:class+load=info:file=" + classLog)
                .systemProperty("quarkus.profile", "demo")
                .systemProperty("talosburst.grpc.port", grpcPort)
                .systemProperty("talosburst.management.port", PackagedApp.freePort())
                .start();
        ManagedChannel channel = app.plaintextChannel(grpcPort);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    assertThat(app.isAlive())
                            .as("application still running; see " + app.log())
                            .isTrue();
                    return !CloudProviderGrpc.newBlockingStub(channel)
                            .gPULabel(GPULabelRequest.getDefaultInstance())
                            .getLabel()
                            .isEmpty();
                });

        List<String> loaded = Files.readAllLines(classLog).stream()
                .filter(l -> l.contains("[class,load]"))
                .toList();
        List<String> shared = loaded.stream()
                .filter(l -> l.contains("source: shared objects file"))
                .toList();
        // the engine and the gRPC service come from the archive, not from their jars
        assertThat(shared)
                .anySatisfy(l -> assertThat(l).contains(" dev.talosburst.provisioner.engine.NodeGroupEngine source:"));
        assertThat(shared)
                .anySatisfy(
                        l -> assertThat(l).contains(" dev.talosburst.autoscaler.grpc.CloudProviderService source:"));
        // the training answered gRPC calls too: the request class of the first call comes from the archive (Vert.x
        // loads
        // it only when a call arrives; an archive trained on the start-up alone does not hold it)
        assertThat(shared)
                .anySatisfy(l -> assertThat(l).contains(" io.vertx.grpc.server.impl.GrpcServerRequestImpl source:"));
        // without the archive only the JDK's own default archive serves classes (about 1,200 of about 9,000)
        assertThat(shared.size())
                .as("classes served by the archives, of %d loaded", loaded.size())
                .isGreaterThan(loaded.size() / 2);
    }
}
