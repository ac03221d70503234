package dev.ensemble.ingress;

import dev.ensemble.cache.Lookup;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.routing.RoutingDecision;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;

import java.util.List;

/**
 * A channel with no client behind it: the non-streamed answer of a gateway-internal request (a cache audit's re-ask)
 * completes {@link #answer()}; an error fails it. Confined to the event loop that runs the exchange.
 */
final class CapturingChannel implements ClientChannel {

  private final Promise<UnifiedResponse> answer = Promise.promise();
  private boolean started;

  Future<UnifiedResponse> answer() {
    return answer.future();
  }

  @Override
  public void routed(RoutingDecision decision, int attempts) {
  }

  @Override
  public void cached(Lookup lookup, long nowMillis) {
  }

  @Override
  public void beginStream(UnifiedRequest request) {
    started = true;
  }

  @Override
  public void write(StreamEvent event) {
  }

  @Override
  public void end() {
    answer.tryFail("the answer was streamed");
  }

  @Override
  public void answer(UnifiedResponse response, List<StreamEvent> events) {
    started = true;
    answer.tryComplete(response);
  }

  @Override
  public void fail(GatewayError error) {
    answer.tryFail(error);
  }

  @Override
  public boolean started() {
    return started;
  }

  @Override
  public boolean closed() {
    return false;
  }

  @Override
  public boolean cancelled() {
    return false;
  }

  @Override
  public boolean writeQueueFull() {
    return false;
  }

  @Override
  public void onDrain(Handler<Void> handler) {
  }

  @Override
  public void onGone(Handler<Void> handler) {
  }

  @Override
  public void onCancel(Handler<Void> handler) {
  }
}
