package dev.ensemble.metrics;

import dev.ensemble.bus.Addresses;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts what the request path publishes anyway, so that path stays free of metrics work: the
 * {@link UsageReport} of every attempt ({@link Addresses#ROUTING_USAGE}) and every provider's
 * {@link AttemptOutcome} ({@link Addresses#poolOutcome}). Local consumers only: each node counts its own
 * traffic. One instance per node; its event loop is the only thread that touches {@link UsageMeters}.
 */
public final class MetricsVerticle extends VerticleBase {

  private final UsageMeters usage;
  private final OutcomeMeters outcomes;
  private final List<String> providers;

  MetricsVerticle(UsageMeters usage, OutcomeMeters outcomes, List<String> providers) {
    this.usage = usage;
    this.outcomes = outcomes;
    this.providers = List.copyOf(providers);
  }

  @Override
  public Future<?> start() {
    List<Future<Void>> registered = new ArrayList<>();
    registered.add(vertx.eventBus().<UsageReport>localConsumer(Addresses.ROUTING_USAGE, msg -> usage.record(msg.body())).completion());
    for (String provider : providers) {
      registered.add(vertx.eventBus().<AttemptOutcome>localConsumer(Addresses.poolOutcome(provider), msg -> outcomes.record(msg.body()))
          .completion());
    }
    return Future.all(registered);
  }
}
