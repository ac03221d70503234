package dev.ensemble.ingress;

import dev.ensemble.clients.ClientAccount;
import dev.ensemble.metrics.GatewayMetrics;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.ClientDialect;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * Serves one format's count-tokens route ({@link ClientDialect#tokenCountPathRegex}) as {@link OperationHandler}
 * serves embeddings: admit the caller (budget, {@code rpm_limit}), decode the prompt, route it among the model's
 * providers and run a {@link TokenCountOperation} in an {@link OperationExchange} (limits, failover, deadline,
 * ledger). The answer says where its figure came from in {@value #SOURCE}: {@code provider} (the provider's
 * tokenizer) or {@code estimate} (the gateway's four characters a token).
 */
final class TokenCountHandler implements Handler<RoutingContext> {

  static final String SOURCE = "X-Ensemble-Token-Count";

  private final ClientDialect dialect;
  private final ModelRouter router;
  private final RateLimiter rateLimiter;
  private final GatewayMetrics metrics;
  private final LiveResponses live;
  private final long requestTimeoutMs;
  private final RoutingHeaders routing;

  TokenCountHandler(ClientDialect dialect, ModelRouter router, RateLimiter rateLimiter, GatewayMetrics metrics, LiveResponses live,
      long requestTimeoutMs, RoutingHeaders routing) {
    this.routing = routing;
    this.dialect = dialect;
    this.router = router;
    this.rateLimiter = rateLimiter;
    this.metrics = metrics;
    this.live = live;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Admission.admit(ctx, dialect, this::serve);
  }

  private void serve(RoutingContext ctx, HttpServerResponse response, String requestId, long now, ClientAccount account) {
    try {
      MultiMap params = MultiMap.caseInsensitiveMultiMap().addAll(ctx.queryParams());
      ctx.pathParams().forEach(params::add);
      UnifiedRequest prompt = dialect.decodeTokenCount(ChatHandler.jsonBody(ctx.body().buffer()), params);
      TokenCountOperation operation = new TokenCountOperation(dialect, prompt);
      RoutingHints hints = RoutingHints.of(ctx.request().getHeader(Headers.SESSION));
      Selection selection = metrics.timeRouting(() -> router.decide(operation.routingView(), hints, operation.kind()));
      OperationSink http = OperationSink.http(response, Headers.Names.of(ctx.request()), routing, dialect);
      OperationSink sink = new OperationSink() {
        @Override
        public void routed(Selection routed, int attempts) {
          http.routed(routed, attempts);
        }

        @Override
        public void answer(Operation.Answer answer) {
          response.putHeader(SOURCE, operation.estimated() ? "estimate" : "provider");
          http.answer(answer);
        }

        @Override
        public void fail(GatewayError error) {
          http.fail(error);
        }

        @Override
        public boolean closed() {
          return http.closed();
        }
      };
      new OperationExchange(ctx.vertx(), sink, router, rateLimiter, operation, hints, selection, requestId, account, requestTimeoutMs)
          .trackedBy(live).run();
    } catch (GatewayError e) {
      ErrorResponder.send(response, dialect, e);
    }
  }
}
