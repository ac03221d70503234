package dev.ensemble.routing;

import dev.ensemble.bus.Addresses;
import dev.ensemble.bus.LocalCodec;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.model.Usage;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.ratelimit.LocalRateLimiter;
import dev.ensemble.routing.affinity.AffinityTable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The router verticle learns from the usage reports handed to it while requests are answered (its wake, if any, comes
 * after that event-loop task) before it answers a status question sent in the same task: the order of a client that
 * gets its answer, then asks the admin API.
 */
@ExtendWith(VertxExtension.class)
class RouterVerticleTest {

  private static final String CONFIG = """
      providers:
        ant:
          type: anthropic
          base_url: http://127.0.0.1:1
          keys: [ { name: k1, api_key: a1, endpoints: [ { id: ant-1 } ] } ]
      models:
        claude:
          providers: [ { provider: ant, model: claude-up } ]
      """;

  @Test
  void aReportThatTaughtAffinityIsLearntBeforeTheNextStatusQuestion(Vertx vertx, VertxTestContext test) {
    CachePlan plan = new CachePlan(0, 300, new long[] {42L}, 7L, 2_048);
    learntBeforeStatus(vertx, test, plan, status -> {
      assertEquals(1, status.getJsonObject("cache_predictions").getLong("confirmed"), status.encode());
      assertEquals(2, status.getJsonObject("affinity").getLong("entries"), "the written prefix and the hit one: " + status.encode());
    });
  }

  @Test
  void aReportHandedOverWithoutAWakeIsLearntBeforeTheNextStatusQuestion(Vertx vertx, VertxTestContext test) {
    CachePlan plan = new CachePlan(0, 300, new long[0], 0L, 0);
    learntBeforeStatus(vertx, test, plan, status -> {
      assertEquals(1, status.getJsonObject("cache_predictions").getLong("unpredicted"), status.encode());
      assertEquals(0, status.getJsonObject("affinity").getLong("entries"), status.encode());
    });
  }

  private static void learntBeforeStatus(Vertx vertx, VertxTestContext test, CachePlan plan, Consumer<JsonObject> check) {
    vertx.eventBus().registerDefaultCodec(UsageReport.class, new LocalCodec<>(UsageReport.class));
    EnsembleConfig config = new ConfigLoader(Map.of()).parse(CONFIG);
    Map<String, ProviderPool> pools = new HashMap<>();
    config.providers().forEach((name, p) -> {
      List<Endpoint> endpoints = new ArrayList<>();
      for (ProviderConfig.KeyConfig k : p.keys()) {
        for (ProviderConfig.EndpointConfig e : k.endpoints()) {
          endpoints.add(new Endpoint(e.id(), name, k.name(), k.apiKey(), k.weight(), e.rpmLimit(), e.tpmLimit(), p.baseUrl(), ""));
        }
      }
      var kind = ProviderKinds.of(p);
      pools.put(name, new ProviderPool(p, kind.adapter(), kind.auth(), endpoints));
    });
    EndpointLoad load = new EndpointLoad();
    AffinityTable affinity = new AffinityTable(1 << 10);
    ModelRouter router = new ModelRouter(config, pools, new HashMap<>(), load, affinity, System::currentTimeMillis);
    RouterVerticle verticle = new RouterVerticle(router, load, new HashMap<>(), new LocalRateLimiter(Map.of()), affinity,
        new CachePredictions(), System::currentTimeMillis);
    UsageReport report = new UsageReport("r1", 1, "ant", "ant-1", "claude", new Usage(2_100L, 10L, 2_048L, 0L), BigDecimal.ZERO, 200,
        true, 5, System.currentTimeMillis(), 0, plan);
    vertx.deployVerticle(verticle).onComplete(test.succeeding(id -> {
      Context requestLoop = vertx.getOrCreateContext();
      requestLoop.runOnContext(v -> {
        router.learn(report);
        vertx.eventBus().<JsonObject>request(Addresses.ROUTING_STATUS, null).onComplete(test.succeeding(reply -> test.verify(() -> {
          check.accept(reply.body());
          test.completeNow();
        })));
      });
    }));
  }
}
