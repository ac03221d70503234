package dev.ensemble.routing;

import dev.ensemble.model.Usage;

/**
 * What one finished request cost and where it ran; published on {@link dev.ensemble.bus.Addresses#ROUTING_USAGE}.
 *
 * @param status the status the client got (200 for a completed stream, the error status otherwise)
 */
public record UsageReport(
    String requestId, String provider, String endpointId, String model, Usage usage, int status, long latencyMs,
    long timeToFirstByteMs, long finishedAtMillis) {}
