package dev.ensemble.ingress;

import dev.ensemble.cache.CacheDirectives;
import dev.ensemble.cache.CachePolicy;
import dev.ensemble.cache.Lookup;
import dev.ensemble.cache.ResponseCache;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.metrics.GatewayMetrics;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Vertx;

/**
 * Starts one decoded chat request, the same way for HTTP and the WebSocket: when a response cache policy covers it
 * (the route's, else the model's), the cache is asked first — a hit is replayed ({@link CacheReplay}) and never
 * routed, so it takes no rate-limit capacity; otherwise the request is routed and run as a {@link ChatExchange} whose
 * complete answer the cache stores. Without a policy, or for a passthrough to OpenAI's Responses API (whose answer
 * the unified cache entry could not hold), it is routed at once. Thread-safe; each call
 * runs on the client connection's event loop.
 */
final class ChatLauncher {

  private final ModelRouter router;
  private final RateLimiter rateLimiter;
  private final GatewayMetrics metrics;
  private final LiveResponses live;
  private final ResponseCache cache;
  private final CacheAuditor auditor;
  private final long requestTimeoutMs;

  /** @param requestTimeoutMs {@code server.request_timeout_ms}: the deadline of a request not on a route with its own {@code timeout_ms} */
  ChatLauncher(ModelRouter router, RateLimiter rateLimiter, GatewayMetrics metrics, LiveResponses live, ResponseCache cache,
      CacheAuditor auditor, long requestTimeoutMs) {
    this.requestTimeoutMs = requestTimeoutMs;
    this.router = router;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.live = live;
    this.cache = cache;
    this.auditor = auditor;
  }

  ModelRouter router() {
    return router;
  }

  /**
   * Runs {@code request}; a failure to route it without a cache policy is thrown (the caller answers it), one after
   * a cache lookup goes to {@code channel}.
   */
  void launch(Vertx vertx, ClientChannel channel, ClientDialect dialect, RouteConfig route, ClientCall call, RoutingHints hints,
      ResponseContext context, ClientAccount account, CacheDirectives directives) {
    long startNanos = System.nanoTime();
    UnifiedRequest request = call.request();
    // a passthrough's answer is the upstream's own object (built-in tool results, encrypted reasoning): never cached
    CachePolicy policy = cache == null || request.passthrough() != null ? null
        : cache.policies().of(route == null ? null : route.name(), request.model());
    if (policy == null) {
      exchange(vertx, channel, dialect, route, call, hints, context, account, null).run();
      return;
    }
    cache.lookup(policy, request, account.clientId(), directives).onComplete(ar -> {
      Lookup lookup = ar.result();
      channel.cached(lookup, System.currentTimeMillis());
      if (lookup.hit()) {
        CacheReplay.replay(vertx, channel, dialect, call, lookup, context, account, live, startNanos);
        auditor.maybeAudit(vertx, lookup, request, route);
        return;
      }
      try {
        exchange(vertx, channel, dialect, route, call, hints, context, account, lookup).run();
      } catch (GatewayError e) {
        channel.fail(e);
      }
    });
  }

  private ChatExchange exchange(Vertx vertx, ClientChannel channel, ClientDialect dialect, RouteConfig route, ClientCall call,
      RoutingHints hints, ResponseContext context, ClientAccount account, Lookup lookup) {
    UnifiedRequest request = call.request();
    RouteStart start = metrics.timeRouting(() -> RouteStart.of(route, request.model(), hints,
        (model, h) -> router.decide(model.equals(request.model()) ? request : request.toBuilder().model(model).build(), h)));
    ChatExchange exchange = new ChatExchange(vertx, channel, dialect, router, rateLimiter, route, call, start.hints(), start.selection(),
        context, account, live, requestTimeoutMs).startingOn(start.model(), start.fallbacks());
    if (lookup != null && lookup.storable()) {
      exchange.onAnswered((answer, cost) -> cache.store(lookup, answer, cost));
    }
    return exchange;
  }

  /** Runs an audit's re-ask of {@code request} upstream on {@code channel}, billed to nobody and marked as audit traffic. */
  void reask(Vertx vertx, ClientChannel channel, ClientDialect dialect, RouteConfig route, UnifiedRequest request, ResponseContext context) {
    exchange(vertx, channel, dialect, route, ClientCall.of(request), RoutingHints.of(null), context, ClientAccount.ANONYMOUS, null)
        .asAudit().run();
  }
}
