package dev.ensemble.config;

/** {@code cluster:} — Hazelcast-clustered event bus, off by default. */
public record ClusterConfig(boolean enabled, String config) {}
