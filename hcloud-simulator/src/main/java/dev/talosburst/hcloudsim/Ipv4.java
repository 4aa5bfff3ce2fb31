package dev.talosburst.hcloudsim;

/** IPv4 arithmetic for handing out addresses from CIDR ranges. */
final class Ipv4 {

    private Ipv4() {}

    /** Parses {@code a.b.c.d/n} into {base address, prefix length}; throws naming the bad input. */
    static long[] parseCidr(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 CIDR like 10.0.0.0/16");
        }
        long base = parse(cidr.substring(0, slash), cidr);
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' has no valid prefix length");
        }
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("'" + cidr + "' prefix length must be between 8 and 30");
        }
        long mask = (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
        return new long[] {base & mask, prefix};
    }

    /** Host number {@code n} (1 = first usable) in the range, or throws when the range is full. */
    static String host(String cidr, long n) {
        long[] parsed = parseCidr(cidr);
        long size = 1L << (32 - parsed[1]);
        if (n >= size - 1) {
            throw new IllegalStateException("no free address left in " + cidr);
        }
        return format(parsed[0] + n);
    }

    static String format(long address) {
        return ((address >> 24) & 0xFF) + "." + ((address >> 16) & 0xFF) + "." + ((address >> 8) & 0xFF) + "."
                + (address & 0xFF);
    }

    private static long parse(String ip, String context) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + context + "' is not an IPv4 CIDR like 10.0.0.0/16");
        }
        long value = 0;
        for (String p : parts) {
            int octet;
            try {
                octet = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + context + "' is not an IPv4 CIDR like 10.0.0.0/16");
            }
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("'" + context + "' has an octet outside 0-255");
            }
            value = (value << 8) | octet;
        }
        return value;
    }
}
