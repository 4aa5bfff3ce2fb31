package dev.talosburst.provisioner.cloud;

/** A Hetzner location such as {@code fsn1}. */
public record Location(long id, String name, String description, String country, String city, String networkZone) {}
