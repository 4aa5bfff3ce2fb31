package dev.talosburst.autoscaler.image;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Builds talos-burst's container image as an OCI tarball with Jib core, without a Docker daemon and without pulling a
 * base image (none can be pulled here): FROM scratch, a runtime jlink'ed from the building JDK plus the shared
 * libraries it links against ({@code ldd}), the {@code quarkus-app} directory, a non-root numeric user.
 * Usage: {@code ContainerImage <quarkus-app dir> <output.tar> <image name>}.
 */
public final class ContainerImage {
    /** The user the image runs as (distroless' "nonroot"). */
    public static final String USER = "65532";

    static final String JAVA_HOME = "/opt/java";
    static final String APP = "/app";

    private ContainerImage() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: ContainerImage <quarkus-app dir> <output.tar> <image name>");
        }
        build(Path.of(args[0]), Path.of(args[1]), args[2]);
        System.out.println("OCI image " + args[2] + " written to " + args[1]);
    }

    /** Writes the image {@code name} for {@code quarkusApp} to {@code tar}. */
    public static void build(Path quarkusApp, Path tar, String name) throws Exception {
        if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
            throw new IllegalArgumentException(quarkusApp + " holds no quarkus-run.jar: package the application first");
        }
        Path work = tar.toAbsolutePath().getParent().resolve("image-work");
        deleteRecursively(work);
        Files.createDirectories(work);
        Path runtime = work.resolve("java");
        jlink(runtime);
        Path system = work.resolve("system");
        sharedLibraries(runtime, system);
        systemFiles(system);

        Instant epoch = Instant.EPOCH; // reproducible layers
        JibContainerBuilder image = Jib.fromScratch()
                .setFormat(ImageFormat.OCI)
                .addFileEntriesLayer(layer("system", system, "/", epoch))
                .addFileEntriesLayer(layer("java-runtime", runtime, JAVA_HOME, epoch))
                .addFileEntriesLayer(layer("dependencies", quarkusApp.resolve("lib"), APP + "/lib", epoch))
                .addFileEntriesLayer(appLayer(quarkusApp, epoch))
                .setEnvironment(java.util.Map.of("JAVA_HOME", JAVA_HOME, "PATH", JAVA_HOME + "/bin", "LANG", "C.UTF-8"))
                .setWorkingDirectory(AbsoluteUnixPath.get(APP))
                .setUser(USER + ":" + USER)
                .setExposedPorts(java.util.Set.of(
                        com.google.cloud.tools.jib.api.buildplan.Port.tcp(8086),
                        com.google.cloud.tools.jib.api.buildplan.Port.tcp(9000)))
                .setEntrypoint(JAVA_HOME + "/bin/java", "-jar", APP + "/quarkus-run.jar")
                .setCreationTime(epoch);
        Files.deleteIfExists(tar);
        image.containerize(Containerizer.to(TarImage.at(tar).named(name))
                .setApplicationLayersCache(work.resolve("cache"))
                .setBaseImageLayersCache(work.resolve("cache")));
    }

    private static void jlink(Path output) throws IOException, InterruptedException {
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path jmods = javaHome.resolve("jmods");
        if (!Files.isDirectory(jmods)) {
            throw new IllegalStateException(
                    jmods + " is missing: jlink needs a full JDK (Debian openjdk-17-jdk-headless)");
        }
        // every module of the JDK (Quarkus, Netty, Kafka and fabric8 reach for more than a jdeps scan of the jars
        // finds),
        // except the incubator ones, whose presence makes every start print a warning
        List<String> modules = new ArrayList<>();
        try (Stream<Path> files = Files.list(jmods)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".jmod") && !n.startsWith("jdk.incubator."))
                    .map(n -> n.substring(0, n.length() - ".jmod".length()))
                    .sorted()
                    .forEach(modules::add);
        }
        run(
                javaHome.resolve("bin/jlink").toString(),
                "--module-path",
                jmods.toString(),
                "--add-modules",
                String.join(",", modules),
                "--strip-debug",
                "--no-header-files",
                "--no-man-pages",
                "--compress=2",
                "--output",
                output.toString());
        // Debian links cacerts to /etc/ssl/certs/java/cacerts: put the real store into the runtime
        Path cacerts = output.resolve("lib/security/cacerts");
        Path real = javaHome.resolve("lib/security/cacerts").toRealPath();
        Files.deleteIfExists(cacerts);
        Files.copy(real, cacerts);
    }

    /** Copies every shared library the runtime's executables and libraries need (per {@code ldd}) under {@code root}. */
    private static void sharedLibraries(Path runtime, Path root) throws IOException, InterruptedException {
        Set<String> libraries = new TreeSet<>();
        List<Path> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(runtime)) {
            files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".so") || p.getParent().endsWith("bin"))
                    .forEach(objects::add);
        }
        Pattern path = Pattern.compile("(/\\S+)");
        for (Path object : objects) {
            String out = runQuietly("ldd", object.toString());
            for (String line : out.lines().toList()) {
                if (line.contains("not found")
                        || line.contains("statically linked")
                        || line.contains("not a dynamic")) {
                    continue;
                }
                String target = line.contains("=>") ? line.substring(line.indexOf("=>") + 2) : line;
                Matcher m = path.matcher(target);
                if (m.find() && !m.group(1).startsWith(runtime.toString())) {
                    libraries.add(m.group(1));
                }
            }
        }
        for (String library : libraries) {
            Path source = Path.of(library);
            Path target = root.resolve(library.substring(1));
            Files.createDirectories(target.getParent());
            Files.copy(source.toRealPath(), target);
        }
    }

    private static void systemFiles(Path root) throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        Files.writeString(
                etc.resolve("passwd"),
                "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:" + USER + ":" + USER
                        + ":nonroot:/home/nonroot:/sbin/nologin\n",
                StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("group"), "root:x:0:\nnonroot:x:" + USER + ":\n", StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("nsswitch.conf"), "hosts: files dns\n", StandardCharsets.UTF_8);
        Files.writeString(etc.resolve("hosts"), "127.0.0.1 localhost\n::1 localhost\n", StandardCharsets.UTF_8);
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("home/nonroot"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(root.resolve("var/lib/talos-burst"));
    }

    private static FileEntriesLayer layer(String name, Path source, String target, Instant time) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(name);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.sorted().toList()) {
                if (file.equals(source)) {
                    continue;
                }
                String relative = source.relativize(file).toString();
                AbsoluteUnixPath destination = AbsoluteUnixPath.get(target).resolve(relative);
                layer.addEntry(file, destination, permissions(file, destination), time);
            }
        }
        return layer.build();
    }

    private static FileEntriesLayer appLayer(Path quarkusApp, Instant time) throws IOException {
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName("application");
        try (Stream<Path> files = Files.walk(quarkusApp)) {
            for (Path file : files.sorted().toList()) {
                String relative = quarkusApp.relativize(file).toString();
                if (file.equals(quarkusApp) || relative.equals("lib") || relative.startsWith("lib/")) {
                    continue;
                }
                AbsoluteUnixPath destination = AbsoluteUnixPath.get(APP).resolve(relative);
                layer.addEntry(file, destination, permissions(file, destination), time);
            }
        }
        return layer.build();
    }

    /**
     * Root-owned and read-only for others, executables kept executable; /tmp and the journal directory writable by
     * anyone (Jib cannot set the sticky bit; in Kubernetes both are volumes or unused, the root filesystem read-only).
     */
    private static FilePermissions permissions(Path file, AbsoluteUnixPath destination) throws IOException {
        String path = destination.toString();
        if (path.equals("/tmp") || path.equals("/var/lib/talos-burst") || path.equals("/home/nonroot")) {
            return FilePermissions.fromOctalString("777");
        }
        if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
            return FilePermissions.fromOctalString("755");
        }
        Set<PosixFilePermission> posix = Files.getPosixFilePermissions(file);
        return FilePermissions.fromOctalString(posix.contains(PosixFilePermission.OWNER_EXECUTE) ? "755" : "644");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        String out = runQuietly(command);
        if (!out.isBlank()) {
            System.out.print(out);
        }
    }

    private static String runQuietly(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES) || (process.exitValue() != 0 && !command[0].equals("ldd"))) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
        }
        return out;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
