package dev.talosburst.hcloudsim;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulator standalone until interrupted. Flags (or environment): {@code --host} ({@code HCLOUD_SIM_HOST},
 * default 127.0.0.1), {@code --port} ({@code HCLOUD_SIM_PORT}, default 8090), {@code --token} ({@code HCLOUD_SIM_TOKEN},
 * default random), {@code --initializing-seconds}, {@code --starting-seconds}, {@code --deleting-seconds}.
 */
public final class HcloudSimulatorMain {

    private HcloudSimulatorMain() {}

    /** Entry point. */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        SimulatorOptions.Builder b = SimulatorOptions.builder()
                .host(env.getOrDefault("HCLOUD_SIM_HOST", "127.0.0.1"))
                .port(number("HCLOUD_SIM_PORT", env.getOrDefault("HCLOUD_SIM_PORT", "8090")));
        if (env.containsKey("HCLOUD_SIM_TOKEN")) {
            b.token(env.get("HCLOUD_SIM_TOKEN"));
        }
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                System.out.println("usage: HcloudSimulatorMain [--host 127.0.0.1] [--port 8090] [--token T]"
                        + " [--initializing-seconds 2] [--starting-seconds 3] [--deleting-seconds 2]");
                return;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("flag " + flag + " needs a value");
            }
            String value = args[++i];
            switch (flag) {
                case "--host" -> b.host(value);
                case "--port" -> b.port(number(flag, value));
                case "--token" -> b.token(value);
                case "--initializing-seconds" -> b.initializing(Duration.ofSeconds(number(flag, value)));
                case "--starting-seconds" -> b.starting(Duration.ofSeconds(number(flag, value)));
                case "--deleting-seconds" -> b.deleting(Duration.ofSeconds(number(flag, value)));
                default -> throw new IllegalArgumentException("unknown flag " + flag + " (try --help)");
            }
        }
        HcloudSimulator sim = HcloudSimulator.start(b.build());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }));
        // Printing the token is the point of this command: it is a throwaway credential of a local fake.
        System.out.println("Hetzner Cloud API simulator listening");
        System.out.println("HCLOUD_ENDPOINT=" + sim.endpoint());
        System.out.println("HCLOUD_TOKEN=" + sim.token());
        System.out.flush();
        stopped.await();
    }

    private static int number(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + value + "'");
        }
    }
}
