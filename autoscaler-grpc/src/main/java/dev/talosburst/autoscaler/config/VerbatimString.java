package dev.talosburst.autoscaler.config;

import org.eclipse.microprofile.config.spi.Converter;

/** Keeps a string as written, including the empty string (a valid Kubernetes label value, e.g. {@code node-role.kubernetes.io/burst=""}). */
public final class VerbatimString implements Converter<String> {
    @Override
    public String convert(String value) {
        return value == null ? "" : value;
    }
}
