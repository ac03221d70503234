package dev.ensemble.wire;

/**
 * What the gateway tells a client about an answer regardless of where it came from: its own request id
 * (the persisted response id), the model name the client asked for, and the creation time.
 */
public record ResponseContext(String requestId, String model, long createdEpochSeconds) {}
