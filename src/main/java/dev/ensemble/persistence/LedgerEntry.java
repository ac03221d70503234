package dev.ensemble.persistence;

import dev.ensemble.model.Usage;

import java.math.BigDecimal;

/**
 * One row of the usage ledger: what one client request cost, where it finally ran and how it went. Queued in the
 * node's {@link PersistenceInbox} once per request, after its last attempt (or sent on
 * {@link dev.ensemble.bus.Addresses#PERSIST_LEDGER} by senders off the request path).
 *
 * @param clientId      the gateway client that sent it, or null for anonymous requests
 * @param provider      the provider of the last attempt, or null when the request never reached one
 * @param usage         tokens as the upstream reported them ({@link Usage#UNKNOWN} when none)
 * @param costUsd       USD from the catalog prices including cache discounts and write premiums
 * @param timeToFirstByteMs -1 when the client got no byte of an answer
 * @param status        the HTTP status the client got (200 for a stream, even one ended by an error event)
 * @param routeReason   the routing decision's reason for the last attempt
 * @param images        images generated ({@code /v1/images/generations}), null for other requests
 * @param cacheStatus   {@code HIT} or {@code SEMANTIC_HIT} when the response cache answered (no upstream call), else null
 * @param savedUsd      what the cached answer cost when it was fetched: the USD a hit saved, else null
 */
public record LedgerEntry(
    String requestId, String clientId, String provider, String endpointId, String model, String upstreamModel, Usage usage,
    BigDecimal costUsd, long latencyMs, long timeToFirstByteMs, int status, int attempts, String routeReason, boolean stream,
    long finishedAtMillis, Integer images, String cacheStatus, BigDecimal savedUsd) {

  /** A row of a request the upstream answered. */
  public LedgerEntry(String requestId, String clientId, String provider, String endpointId, String model, String upstreamModel, Usage usage,
      BigDecimal costUsd, long latencyMs, long timeToFirstByteMs, int status, int attempts, String routeReason, boolean stream,
      long finishedAtMillis, Integer images) {
    this(requestId, clientId, provider, endpointId, model, upstreamModel, usage, costUsd, latencyMs, timeToFirstByteMs, status, attempts,
        routeReason, stream, finishedAtMillis, images, null, null);
  }

  /** A row of a request that generated no images. */
  public LedgerEntry(String requestId, String clientId, String provider, String endpointId, String model, String upstreamModel, Usage usage,
      BigDecimal costUsd, long latencyMs, long timeToFirstByteMs, int status, int attempts, String routeReason, boolean stream,
      long finishedAtMillis) {
    this(requestId, clientId, provider, endpointId, model, upstreamModel, usage, costUsd, latencyMs, timeToFirstByteMs, status, attempts,
        routeReason, stream, finishedAtMillis, null);
  }
}
