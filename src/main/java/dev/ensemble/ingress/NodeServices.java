package dev.ensemble.ingress;

import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.logging.LogBuffers;
import dev.ensemble.metrics.GatewayMetrics;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.wire.ClientDialects;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * What every ingress instance of a node shares: the config, the router, the exact rate limiter, the client
 * dialects, when the node started, a view of its deployed verticles, its metrics, its gateway clients, the
 * responses it is producing right now, its log buffers, its cluster membership ({@code {enabled: false}} on a single
 * node), its lifecycle (ready, draining), the crash journal of responses in flight and its response cache. All thread-safe.
 */
public record NodeServices(
    EnsembleConfig config, ModelRouter router, RateLimiter rateLimiter, ClientDialects dialects,
    long startedAtEpochSeconds, Supplier<JsonArray> verticles, GatewayMetrics metrics, ClientRegistry clients,
    LiveResponses live, LogBuffers logs, Supplier<JsonObject> cluster, NodeLifecycle lifecycle, ResponseCaching caching) {

  /** Services of a node without a response cache. */
  public NodeServices(EnsembleConfig config, ModelRouter router, RateLimiter rateLimiter, ClientDialects dialects,
      long startedAtEpochSeconds, Supplier<JsonArray> verticles, GatewayMetrics metrics, ClientRegistry clients,
      LiveResponses live, LogBuffers logs, Supplier<JsonObject> cluster, NodeLifecycle lifecycle) {
    this(config, router, rateLimiter, dialects, startedAtEpochSeconds, verticles, metrics, clients, live, logs, cluster, lifecycle,
        ResponseCaching.NONE);
  }
}
