package dev.talosburst.hcloudsim;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The catalogue a Hetzner project sees in late 2026, close to reality: six locations, shared x86 (cx, cpx),
 * Arm (cax, EU only) and dedicated (ccx) types with per-location prices, system images and Talos snapshots.
 */
final class RealisticCatalogue {

    static final List<String> EU = List.of("fsn1", "nbg1", "hel1");
    static final List<String> ALL = List.of("fsn1", "nbg1", "hel1", "ash", "hil", "sin");

    /** Talos snapshot release dates: v1.11.5 first, v1.11.6 newest. */
    static final Instant TALOS_1_11_5 = Instant.parse("2026-10-02T09:00:00Z");

    static final Instant TALOS_1_11_6 = Instant.parse("2026-11-12T09:00:00Z");

    private RealisticCatalogue() {}

    static void seed(SimulatedCatalogue c) {
        c.addLocation(new SimulatedLocation(
                1, "fsn1", "Falkenstein DC Park 1", "DE", "Falkenstein", 50.47612, 12.370071, "eu-central"));
        c.addLocation(new SimulatedLocation(
                2, "nbg1", "Nuremberg DC Park 1", "DE", "Nuremberg", 49.452102, 11.076665, "eu-central"));
        c.addLocation(new SimulatedLocation(
                3, "hel1", "Helsinki DC Park 1", "FI", "Helsinki", 60.169855, 24.938379, "eu-central"));
        c.addLocation(
                new SimulatedLocation(4, "ash", "Ashburn, VA", "US", "Ashburn, VA", 39.045821, -77.487073, "us-east"));
        c.addLocation(new SimulatedLocation(
                5, "hil", "Hillsboro, OR", "US", "Hillsboro, OR", 45.54222, -122.95138, "us-west"));
        c.addLocation(
                new SimulatedLocation(6, "sin", "Singapore", "SG", "Singapore", 1.283333, 103.833333, "ap-southeast"));

        c.addServerType(type(104, "cx22", "cost_optimized", 2, 4, 40, "shared", "x86", EU, "0.0060", "3.79"));
        c.addServerType(type(105, "cx32", "cost_optimized", 4, 8, 80, "shared", "x86", EU, "0.0109", "6.80"));
        c.addServerType(type(106, "cx42", "cost_optimized", 8, 16, 160, "shared", "x86", EU, "0.0263", "16.40"));
        c.addServerType(type(22, "cpx11", "regular_purpose", 2, 2, 40, "shared", "x86", ALL, "0.0070", "4.35"));
        c.addServerType(type(23, "cpx21", "regular_purpose", 3, 4, 80, "shared", "x86", ALL, "0.0122", "7.55"));
        c.addServerType(type(24, "cpx31", "regular_purpose", 4, 8, 160, "shared", "x86", ALL, "0.0224", "13.60"));
        c.addServerType(type(45, "cax11", "cost_optimized", 2, 4, 40, "shared", "arm", EU, "0.0062", "3.79"));
        c.addServerType(type(93, "cax21", "cost_optimized", 4, 8, 80, "shared", "arm", EU, "0.0104", "6.49"));
        c.addServerType(type(94, "cax31", "cost_optimized", 8, 16, 160, "shared", "arm", EU, "0.0201", "12.49"));
        c.addServerType(type(96, "ccx13", "general_purpose", 2, 8, 80, "dedicated", "x86", ALL, "0.0198", "12.49"));
        c.addServerType(type(97, "ccx23", "general_purpose", 4, 16, 160, "dedicated", "x86", ALL, "0.0393", "24.49"));

        Instant ubuntu = Instant.parse("2024-04-25T14:00:00Z");
        Instant debian = Instant.parse("2023-06-13T08:00:00Z");
        c.addImage(system(161547269, "ubuntu-24.04", "Ubuntu 24.04", "x86", ubuntu, "ubuntu", "24.04", null));
        c.addImage(system(161547270, "ubuntu-24.04", "Ubuntu 24.04", "arm", ubuntu, "ubuntu", "24.04", null));
        c.addImage(system(114690387, "debian-12", "Debian 12", "x86", debian, "debian", "12", null));
        c.addImage(system(114690389, "debian-12", "Debian 12", "arm", debian, "debian", "12", null));
        c.addImage(system(
                45557056,
                "ubuntu-20.04",
                "Ubuntu 20.04",
                "x86",
                Instant.parse("2020-04-23T12:00:00Z"),
                "ubuntu",
                "20.04",
                Instant.parse("2025-06-01T00:00:00Z")));
        c.addImage(talos(300000001, "v1.11.5", "amd64", TALOS_1_11_5));
        c.addImage(talos(300000002, "v1.11.5", "arm64", TALOS_1_11_5.plusSeconds(60)));
        c.addImage(talos(300000003, "v1.11.6", "amd64", TALOS_1_11_6));
        c.addImage(talos(300000004, "v1.11.6", "arm64", TALOS_1_11_6.plusSeconds(60)));
    }

    private static SimulatedServerType type(
            long id,
            String name,
            String category,
            int cores,
            double memory,
            int disk,
            String cpu,
            String arch,
            List<String> locations,
            String hourlyEu,
            String monthlyEu) {
        List<LocationPrice> prices = new ArrayList<>();
        for (String l : locations) {
            boolean eu = EU.contains(l);
            // Outside the EU Hetzner charges more and includes less traffic.
            BigDecimal factor = eu ? BigDecimal.ONE : l.equals("sin") ? new BigDecimal("1.60") : new BigDecimal("1.20");
            long traffic = eu ? 20L << 40 : l.equals("sin") ? 1L << 39 : 1L << 40;
            BigDecimal perTb =
                    eu ? new BigDecimal("1.00") : l.equals("sin") ? new BigDecimal("7.40") : new BigDecimal("1.00");
            prices.add(new LocationPrice(
                    l,
                    new BigDecimal(hourlyEu).multiply(factor),
                    new BigDecimal(monthlyEu).multiply(factor),
                    traffic,
                    perTb));
        }
        return new SimulatedServerType(
                id,
                name,
                name.toUpperCase(java.util.Locale.ROOT),
                category,
                cores,
                memory,
                disk,
                cpu,
                arch,
                "local",
                prices);
    }

    private static SimulatedImage system(
            long id,
            String name,
            String description,
            String arch,
            Instant created,
            String flavor,
            String version,
            Instant deprecated) {
        return new SimulatedImage(
                id,
                "system",
                "available",
                name,
                description,
                arch,
                created,
                Map.of(),
                5,
                null,
                flavor,
                version,
                deprecated);
    }

    private static SimulatedImage talos(long id, String version, String arch, Instant created) {
        return new SimulatedImage(
                id,
                "snapshot",
                "available",
                null,
                "talos " + version + " " + arch,
                arch.equals("amd64") ? "x86" : "arm",
                created,
                Map.of("os", "talos", "version", version, "arch", arch),
                20,
                0.35,
                "unknown",
                null,
                null);
    }
}
