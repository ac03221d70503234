package dev.ensemble.ingress;

import dev.ensemble.persistence.AfterThisTask;
import io.vertx.core.Vertx;

/**
 * The request path's reports to other verticles — the {@link dev.ensemble.routing.UsageReport} of each attempt for
 * the router ({@link dev.ensemble.bus.Addresses#ROUTING_USAGE}) and the {@link dev.ensemble.pools.AttemptOutcome}
 * for the provider's pool ({@link dev.ensemble.bus.Addresses#poolOutcome}) — published once the event loop's current
 * task is over ({@link AfterThisTask}): the client needs neither before its answer, and each is a delivery to
 * another verticle's event loop, a thread woken that on a one-core node would run before the answer is written.
 * They are published in the order they were made, before the loop reads anything else (the next request of this
 * connection, the next upstream chunk), so the router and the pool learn from an attempt as early as before, less
 * the write. Stateless.
 */
final class Reports {

  private Reports() {
  }

  /** Publishes {@code body} on {@code address} after the current event-loop task (at once off an event loop). */
  static void publish(Vertx vertx, String address, Object body) {
    AfterThisTask.run(() -> vertx.eventBus().publish(address, body));
  }
}
