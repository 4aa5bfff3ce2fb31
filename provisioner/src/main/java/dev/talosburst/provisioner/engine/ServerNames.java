package dev.talosburst.provisioner.engine;

import java.security.SecureRandom;
import java.util.function.Predicate;

/**
 * Names new servers {@code <pool>-<suffix>}: lowercase RFC 1123, no dots (the Talos node name is the server
 * name). The suffix is random and never reused, so event identities and Node names never collide with a
 * past server; a name is fixed before the first create attempt and every retry reuses it.
 */
final class ServerNames {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final int SUFFIX_LENGTH = 8;

    private final SecureRandom random = new SecureRandom();

    String next(String pool, Predicate<String> taken) {
        while (true) {
            StringBuilder name = new StringBuilder(pool).append('-');
            // first suffix character is a letter so names never look like ordinals of another scheme
            name.append(ALPHABET[random.nextInt(26)]);
            for (int i = 1; i < SUFFIX_LENGTH; i++) {
                name.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            String candidate = name.toString();
            if (!taken.test(candidate)) {
                return candidate;
            }
        }
    }
}
