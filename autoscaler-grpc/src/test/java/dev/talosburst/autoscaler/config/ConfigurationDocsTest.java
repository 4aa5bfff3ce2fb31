package dev.talosburst.autoscaler.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.WithName;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every option of {@link TalosBurstConfig} is documented in the root README, so the docs cannot drift silently. */
class ConfigurationDocsTest {

    @Test
    void everyOptionIsDocumented() throws Exception {
        String docs = Files.readString(Path.of("../README.md"));
        List<String> options = new ArrayList<>();
        walk(TalosBurstConfig.class, "talosburst.", options);
        assertThat(options).hasSizeGreaterThan(35);
        List<String> missing =
                options.stream().filter(option -> !documented(docs, option)).toList();
        assertThat(missing)
                .as("options missing from the README's configuration reference")
                .isEmpty();
    }

    /** Pool options are documented relative to {@code talosburst.pools.<id>.}, the others by full name. */
    private static boolean documented(String docs, String option) {
        String pool = "talosburst.pools.<id>.";
        return option.startsWith(pool)
                ? docs.contains("| `" + option.substring(pool.length()))
                : docs.contains("| `" + option);
    }

    private static void walk(Class<?> group, String prefix, List<String> into) {
        for (Method method : group.getDeclaredMethods()) {
            if (method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            String name = prefix + name(method);
            Type type = method.getGenericReturnType();
            Class<?> raw = method.getReturnType();
            if (raw == Map.class) {
                Type value = ((ParameterizedType) type).getActualTypeArguments()[1];
                if (value instanceof Class<?> c && c.isInterface() && c.getEnclosingClass() == TalosBurstConfig.class) {
                    walk(c, name + ".<id>.", into);
                } else {
                    into.add(name + ".\"<key>\"");
                }
            } else if (raw.isInterface() && raw.getEnclosingClass() == TalosBurstConfig.class) {
                walk(raw, name + ".", into);
            } else if (raw == java.util.Optional.class
                    && type instanceof ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof ParameterizedType inner
                    && inner.getRawType() == List.class
                    && name.endsWith("talos-patches")) {
                into.add(name + "[<n>]");
            } else {
                into.add(name);
            }
        }
    }

    private static String name(Method method) {
        WithName explicit = method.getAnnotation(WithName.class);
        return explicit != null
                ? explicit.value()
                : method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }
}
