package dev.talosburst.autoscaler.grpc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes resource quantities ({@code resource.Quantity}) as text: {@code 100m}, {@code 1.5}, {@code 128Mi},
 * {@code 1G}, {@code 1e3}. Parsing follows apimachinery's grammar; reading rounds up like {@code Value()} and
 * {@code MilliValue()} do, so a request is never under-counted.
 */
public final class KubernetesQuantity {

    private static final Pattern GRAMMAR = Pattern.compile(
            "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
            Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
            Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
            Map.entry("Ei", BigDecimal.valueOf(1L << 60)),
            Map.entry("n", new BigDecimal("1e-9")),
            Map.entry("u", new BigDecimal("1e-6")),
            Map.entry("m", new BigDecimal("1e-3")),
            Map.entry("k", new BigDecimal("1e3")),
            Map.entry("M", new BigDecimal("1e6")),
            Map.entry("G", new BigDecimal("1e9")),
            Map.entry("T", new BigDecimal("1e12")),
            Map.entry("P", new BigDecimal("1e15")),
            Map.entry("E", new BigDecimal("1e18")));
    private static final BigDecimal KI = BigDecimal.valueOf(1024);

    private KubernetesQuantity() {}

    /** The exact value of {@code text}; {@link IllegalArgumentException} naming the text when it is not a quantity. */
    public static BigDecimal parse(String text) {
        String trimmed = text == null ? "" : text.trim();
        Matcher matcher = GRAMMAR.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'" + trimmed + "' is not a Kubernetes quantity (e.g. 500m, 2, 1.5, 128Mi, 1G, 1e3)");
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        String suffix = matcher.group(2);
        if (suffix == null) {
            return number;
        }
        if (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E') {
            return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
        }
        return number.multiply(SUFFIXES.get(suffix));
    }

    /** Thousandths of the value, rounded up (CPU in millicores). */
    public static long milliValue(String text) {
        return parse(text)
                .scaleByPowerOfTen(3)
                .setScale(0, RoundingMode.CEILING)
                .longValueExact();
    }

    /** The value rounded up to a whole number (memory in bytes). */
    public static long value(String text) {
        return parse(text).setScale(0, RoundingMode.CEILING).longValueExact();
    }

    /** CPU in Kubernetes' canonical text: whole cores as {@code "2"}, otherwise millicores as {@code "1500m"}. */
    public static String cpu(long milliCpu) {
        return milliCpu % 1000 == 0 ? Long.toString(milliCpu / 1000) : milliCpu + "m";
    }

    /** Bytes in Kubernetes' canonical text: {@code "<n>Ki"} when divisible by 1024, plain bytes otherwise. */
    public static String bytes(long bytes) {
        BigDecimal value = BigDecimal.valueOf(bytes);
        return bytes % 1024 == 0 && bytes != 0 ? value.divide(KI).toPlainString() + "Ki" : Long.toString(bytes);
    }
}
