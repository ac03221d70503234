package dev.ensemble.ingress;

import dev.ensemble.clients.ClientAccount;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.metrics.GatewayMetrics;
import dev.ensemble.model.GatewayError;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.wire.ClientDialect;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves one non-chat route in the OpenAI format ({@code /v1/embeddings}, {@code /v1/images/generations}) the
 * way {@link ChatHandler} serves chat: admit the caller (budget, {@code rpm_limit}), parse and validate the body
 * into an {@link Operation}, route it among the providers able to serve its kind of model, and hand it to an
 * {@link OperationExchange}, which the node's {@link LiveResponses} count while it runs (a drain waits for it).
 */
final class OperationHandler implements Handler<RoutingContext> {

  /** Builds the operation from a request's JSON body; throws a {@link GatewayError} (400) for a bad one. */
  interface Parser {
    Operation parse(JsonObject body, long createdEpochSeconds);
  }

  private final ClientDialect dialect;
  private final ModelRouter router;
  private final RateLimiter rateLimiter;
  private final GatewayMetrics metrics;
  private final LiveResponses live;
  private final Parser parser;
  private final java.util.function.Function<RoutingContext, RouteConfig> routeOf;
  private final long requestTimeoutMs;
  private final RoutingHeaders routing;

  OperationHandler(ClientDialect dialect, ModelRouter router, RateLimiter rateLimiter, GatewayMetrics metrics, LiveResponses live,
      Parser parser, long requestTimeoutMs, RoutingHeaders routing) {
    this(dialect, router, rateLimiter, metrics, live, parser, requestTimeoutMs, routing, null);
  }

  private OperationHandler(ClientDialect dialect, ModelRouter router, RateLimiter rateLimiter, GatewayMetrics metrics, LiveResponses live,
      Parser parser, long requestTimeoutMs, RoutingHeaders routing, java.util.function.Function<RoutingContext, RouteConfig> routeOf) {
    this.routing = routing;
    this.dialect = dialect;
    this.live = live;
    this.router = router;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.parser = parser;
    this.requestTimeoutMs = requestTimeoutMs;
    this.routeOf = routeOf;
  }

  /**
   * The same operation for a workflow route: the route's model replaces the body's {@code model}; its
   * {@code timeout_ms} is the request's deadline, its {@code retry} and {@code fallback} chain apply.
   */
  OperationHandler forRoute(java.util.function.Function<RoutingContext, RouteConfig> routeOf) {
    return new OperationHandler(dialect, router, rateLimiter, metrics, live, parser, requestTimeoutMs, routing, routeOf);
  }

  @Override
  public void handle(RoutingContext ctx) {
    Admission.admit(ctx, dialect, this::serve);
  }

  private void serve(RoutingContext ctx, HttpServerResponse response, String requestId, long now, ClientAccount account) {
    try {
      JsonObject body = ChatHandler.jsonBody(ctx.body().buffer());
      RouteConfig route = routeOf == null ? null : routeOf.apply(ctx);
      if (route != null) {
        body.put("model", route.model());
      }
      Operation operation = parser.parse(body, now / 1000);
      RoutingHints hints = RoutingHints.of(ctx.request().getHeader(Headers.SESSION));
      RouteStart start = metrics.timeRouting(() -> RouteStart.of(route, operation.routingView().model(), hints,
          (model, h) -> router.decide(operation.withModel(model).routingView(), h, operation.kind())));
      new OperationExchange(ctx.vertx(), OperationSink.http(response, Headers.Names.of(ctx.request()), routing, dialect), router, rateLimiter, operation.withModel(start.model()),
          start.hints(), start.selection(), requestId, account, requestTimeoutMs, route, null).startingOn(start.fallbacks()).trackedBy(live).run();
    } catch (GatewayError e) {
      ErrorResponder.send(response, dialect, e);
    }
  }
}
