package dev.ensemble.ingress;

import dev.ensemble.clients.ClientAccount;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.metrics.GatewayMetrics;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.RequestJson;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/**
 * Serves one chat route in one client format: admit the caller (a client's monthly budget and {@code rpm_limit}:
 * 429 before anything else), parse and validate the body, route it, and hand it to a
 * {@link ChatExchange}. {@code routeOf} gives the named workflow a request came in on (its model replaces the
 * body's, its retry and fallback settings govern failover), or null for the plain chat routes.
 */
final class ChatHandler implements Handler<RoutingContext> {

  private final ClientDialect dialect;
  private final ModelRouter router;
  private final RateLimiter rateLimiter;
  private final GatewayMetrics metrics;
  private final Function<RoutingContext, RouteConfig> routeOf;
  private final LiveResponses live;

  ChatHandler(ClientDialect dialect, ModelRouter router, RateLimiter rateLimiter, GatewayMetrics metrics,
      Function<RoutingContext, RouteConfig> routeOf, LiveResponses live) {
    this.dialect = dialect;
    this.router = router;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.routeOf = routeOf;
    this.live = live;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long now = System.currentTimeMillis();
    String requestId = RequestIds.next(now);
    HttpServerResponse response = ctx.response().putHeader(Headers.REQUEST_ID, requestId);
    ClientAccount account = Caller.of(ctx).account();
    try {
      account.admit();
      JsonObject body = jsonBody(ctx.body().buffer());
      RouteConfig route = routeOf.apply(ctx);
      if (route != null) {
        body.put("model", route.model());
      }
      UnifiedRequest request = dialect.decodeRequest(body);
      RoutingHints hints = RoutingHints.of(ctx.request().getHeader(Headers.SESSION));
      Selection selection = metrics.timeRouting(() -> router.decide(request, hints));
      ResponseContext context = new ResponseContext(requestId, request.model(), now / 1000);
      new ChatExchange(ctx.vertx(), new HttpChannel(response, dialect, context), dialect, router, rateLimiter, route, request, hints,
          selection, context, account, live).run();
    } catch (GatewayError e) {
      ErrorResponder.send(response, dialect, e);
    }
  }

  static JsonObject jsonBody(Buffer body) {
    return RequestJson.object(body, "request body");
  }
}
