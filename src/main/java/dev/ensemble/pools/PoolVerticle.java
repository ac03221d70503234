package dev.ensemble.pools;

import dev.ensemble.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The actor of one provider: opens (and on undeploy closes) its upstream transport, and owns the health
 * record of its endpoints. Outcomes of upstream attempts arrive on {@link Addresses#poolOutcome}; each one
 * replaces the health snapshot that the request path reads from {@link ProviderPool#health()}.
 * The {@code health} map below is touched only on this verticle's event loop.
 */
public final class PoolVerticle extends VerticleBase {

  private final ProviderPool pool;
  private final Function<io.vertx.core.Vertx, UpstreamTransport> transportFactory;
  private final Map<String, EndpointHealth> health = new HashMap<>();
  private UpstreamTransport transport;

  public PoolVerticle(ProviderPool pool, Function<io.vertx.core.Vertx, UpstreamTransport> transportFactory) {
    this.pool = pool;
    this.transportFactory = transportFactory;
  }

  @Override
  public Future<?> start() {
    transport = transportFactory.apply(vertx);
    pool.endpoints().forEach(e -> health.put(e.id(), EndpointHealth.NEW));
    pool.health(health);
    pool.attach(transport);
    vertx.eventBus().<AttemptOutcome>localConsumer(Addresses.poolOutcome(pool.name()), msg -> {
      AttemptOutcome outcome = msg.body();
      health.merge(outcome.endpointId(), EndpointHealth.NEW.record(outcome, System.currentTimeMillis()),
          (old, ignored) -> old.record(outcome, System.currentTimeMillis()));
      pool.health(health);
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.poolStatus(pool.name()), msg -> msg.reply(status()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    return transport.close();
  }

  private JsonObject status() {
    JsonArray endpoints = new JsonArray();
    for (Endpoint e : pool.endpoints()) {
      endpoints.add(new JsonObject()
          .put("id", e.id())
          .put("key", e.keyName())
          .put("api_key", e.apiKey().masked())
          .put("base_url", e.baseUrl())
          .put("usable", pool.isUsable(e))
          .put("rpm_limit", e.rpmLimit())
          .put("tpm_limit", e.tpmLimit())
          .put("health", health.getOrDefault(e.id(), EndpointHealth.NEW).toJson()));
    }
    return new JsonObject().put("name", pool.name()).put("type", pool.config().type().name().toLowerCase())
        .put("strategy", pool.config().strategy().name().toLowerCase()).put("endpoints", endpoints);
  }
}
