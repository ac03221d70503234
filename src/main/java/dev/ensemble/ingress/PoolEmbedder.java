package dev.ensemble.ingress;

import dev.ensemble.cache.Embedder;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.config.ModelKind;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.openai.OpenAiEmbeddingsCodec;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;

/**
 * A semantic cache's embedder that is a model of the catalog: each embedding is an {@code /v1/embeddings} request
 * through the gateway's own pools — routed, admitted by the rate limits, failed over like any other — billed to no
 * client, its ledger row marked {@code CACHE_EMBEDDING} so the cache's own cost is visible apart from the clients'.
 * Runs the exchange on the caller's event loop.
 */
public final class PoolEmbedder implements Embedder {

  private final Vertx vertx;
  private final String model;
  private final ModelRouter router;
  private final RateLimiter rateLimiter;
  private final OpenAiEmbeddingsCodec codec = new OpenAiEmbeddingsCodec();
  private final long timeoutMs;

  /** @param timeoutMs the deadline of one embedding across its attempts ({@code server.request_timeout_ms}) */
  public PoolEmbedder(Vertx vertx, String model, ModelRouter router, RateLimiter rateLimiter, long timeoutMs) {
    this.timeoutMs = timeoutMs;
    this.vertx = vertx;
    this.model = model;
    this.router = router;
    this.rateLimiter = rateLimiter;
  }

  @Override
  public Future<float[]> embed(String text) {
    Promise<float[]> vector = Promise.promise();
    long now = System.currentTimeMillis();
    EmbeddingsOperation operation = new EmbeddingsOperation(codec, new EmbeddingsRequest(model, text, "float", null, null));
    RoutingHints hints = RoutingHints.of(null);
    Selection selection;
    try {
      selection = router.decide(operation.routingView(), hints, ModelKind.EMBEDDING);
    } catch (GatewayError e) {
      return Future.failedFuture(e);
    }
    new OperationExchange(vertx, new OperationSink() {
      @Override
      public void routed(Selection s, int attempts) {
      }

      @Override
      public void answer(Operation.Answer answer) {
        try {
          JsonArray values = answer.body().getJsonArray("data").getJsonObject(0).getJsonArray("embedding");
          float[] v = new float[values.size()];
          for (int i = 0; i < v.length; i++) {
            v[i] = values.getNumber(i).floatValue();
          }
          vector.tryComplete(Embedder.normalize(v));
        } catch (RuntimeException e) {
          vector.tryFail(e);
        }
      }

      @Override
      public void fail(GatewayError error) {
        vector.tryFail(error);
      }

      @Override
      public boolean closed() {
        return false;
      }
    }, router, rateLimiter, operation, hints, selection, "cache-embed-" + RequestIds.next(now), ClientAccount.ANONYMOUS,
        timeoutMs, null, "CACHE_EMBEDDING").run();
    return vector.future();
  }
}
