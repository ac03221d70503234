package dev.ensemble.testing;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.function.Supplier;

/**
 * Builds a Vert.x HTTP client call chain on an event loop of the client's {@link Vertx}, so that the whole chain
 * (its {@code body()}, {@code end()} or response handlers included) is in place before that loop can deliver the
 * response.
 *
 * <p>Why: in Vert.x 5.0.10 an {@code HttpClientResponse} does not keep its end for a {@code body()} or
 * {@code end()} asked after the end was delivered; the future then never completes (eclipse-vertx/vert.x#6038, fixed
 * in 5.0.11); chunks that arrive before {@code handler(...)} is set are dropped likewise. A chain written on the test's
 * thread, {@code client.request(o).compose(r -> r.send()).compose(HttpClientResponse::body)}, attaches its last step
 * after {@code request(o)} has returned: when the test's thread is descheduled meanwhile (a loaded 2-core machine), the
 * event loop connects, sends, reads the whole response and delivers its end first, and the test waits forever. Built
 * here, the chain is attached in one task of the loop that will deliver the response, so no step comes late. (A chain
 * whose response step is attached inside the callback that sends, {@code r -> r.send().compose(...)}, is safe from
 * any thread too: that callback runs on the request's loop.)
 *
 * <p>{@code vertx} must be the one the client was created from. The returned future completes with the chain's
 * outcome on that loop; await it from any thread.
 */
public final class OnLoop {

  private OnLoop() {
  }

  /** Runs {@code chain} on a context of {@code vertx} and completes with the future it returns (or what it threw). */
  public static <T> Future<T> call(Vertx vertx, Supplier<Future<T>> chain) {
    Promise<T> result = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      Future<T> built;
      try {
        built = chain.get();
      } catch (RuntimeException | Error e) {
        result.fail(e);
        return;
      }
      built.onComplete(result);
    });
    return result.future();
  }
}
