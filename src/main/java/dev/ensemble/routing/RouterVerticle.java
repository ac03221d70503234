package dev.ensemble.routing;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.Usage;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The router's actor: the only writer of the routing state that {@link ModelRouter} reads on every event
 * loop. Today that state is the per-endpoint load of the last minute, learnt from the usage reports
 * published after each request.
 */
public final class RouterVerticle extends VerticleBase {

  private final EndpointLoad load;

  public RouterVerticle(EndpointLoad load) {
    this.load = load;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<UsageReport>localConsumer(Addresses.ROUTING_USAGE, msg -> {
      UsageReport r = msg.body();
      if (r.endpointId() != null) {
        Usage u = r.usage();
        load.record(r.endpointId(), u.promptTotal() + Usage.orZero(u.output()), r.finishedAtMillis());
      }
    }).completion();
  }
}
