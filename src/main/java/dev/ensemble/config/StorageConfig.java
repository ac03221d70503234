package dev.ensemble.config;

/** {@code storage:} — the SQLite file and the key that encrypts provider keys at rest. */
public record StorageConfig(String sqlitePath, Secret encryptionKey) {}
