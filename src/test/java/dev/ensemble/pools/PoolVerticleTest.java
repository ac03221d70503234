package dev.ensemble.pools;

import dev.ensemble.bus.Addresses;
import dev.ensemble.bus.LocalCodec;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.providers.UpstreamTransport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pool verticle takes in the outcomes the request path reports in the order a client sees them: a success reported
 * while a request was answering (its wake comes after that event-loop task) is counted before a status question or a
 * reset sent in the same task — the order of a client that gets its answer, then asks the admin API. Routing's health
 * snapshot is replaced only when an outcome changes what routing reads; every applied outcome is published for
 * observers.
 */
@ExtendWith(VertxExtension.class)
class PoolVerticleTest {

  private static final String CONFIG = """
      providers:
        oai:
          type: openai
          base_url: http://127.0.0.1:1/v1
          keys: [ { name: k, api_key: sk-test, endpoints: [ { id: oai-1 } ] } ]
      models:
        gpt:
          providers: [ { provider: oai, model: gpt-up } ]
      """;

  private static final AttemptOutcome SUCCESS = new AttemptOutcome("oai", "oai-1", 200, null, null, null, 3);
  private static final AttemptOutcome RATE_LIMITED = new AttemptOutcome("oai", "oai-1", 429, ErrorClass.RATE_LIMITED, "rate_limit", 30_000L, 2);

  private static ProviderPool pool() {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse(CONFIG);
    ProviderConfig p = config.providers().get("oai");
    List<Endpoint> endpoints = new ArrayList<>();
    for (ProviderConfig.KeyConfig k : p.keys()) {
      for (ProviderConfig.EndpointConfig e : k.endpoints()) {
        endpoints.add(new Endpoint(e.id(), "oai", k.name(), k.apiKey(), k.weight(), e.rpmLimit(), e.tpmLimit(), p.baseUrl(), ""));
      }
    }
    var kind = ProviderKinds.of(p);
    return new ProviderPool(p, kind.adapter(), kind.auth(), endpoints);
  }

  private static Future<ProviderPool> deployed(Vertx vertx) {
    ProviderPool pool = pool();
    UpstreamTransport idle = new UpstreamTransport() {
      @Override
      public Future<dev.ensemble.providers.UpstreamResponse> send(io.vertx.core.http.HttpMethod method, String absoluteUrl,
          io.vertx.core.MultiMap headers, io.vertx.core.buffer.Buffer body, long firstByteTimeoutMs) {
        return Future.failedFuture("not used");
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
    return vertx.deployVerticle(new PoolVerticle(pool, v -> idle)).map(id -> pool);
  }

  private static JsonObject health(JsonObject status) {
    return status.getJsonArray("endpoints").getJsonObject(0).getJsonObject("health");
  }

  @Test
  void aSuccessReportedWhileAnsweringIsCountedBeforeTheNextStatusQuestion(Vertx vertx, VertxTestContext test) {
    deployed(vertx).onComplete(test.succeeding(pool -> {
      Context requestLoop = vertx.getOrCreateContext();
      requestLoop.runOnContext(v -> {
        pool.report(SUCCESS);
        vertx.eventBus().<JsonObject>request(Addresses.poolStatus("oai"), null).onComplete(test.succeeding(reply -> test.verify(() -> {
          assertEquals(1, health(reply.body()).getLong("attempts"));
          assertEquals(200, health(reply.body()).getInteger("last_status"));
          test.completeNow();
        })));
      });
    }));
  }

  @Test
  void aSuccessReportedWhileAnsweringIsForgottenByTheResetThatFollows(Vertx vertx, VertxTestContext test) {
    deployed(vertx).onComplete(test.succeeding(pool -> {
      Context requestLoop = vertx.getOrCreateContext();
      requestLoop.runOnContext(v -> {
        pool.report(SUCCESS);
        vertx.eventBus().request(Addresses.poolReset("oai"), null)
            .compose(done -> vertx.eventBus().<JsonObject>request(Addresses.poolStatus("oai"), null))
            .onComplete(test.succeeding(reply -> test.verify(() -> {
              assertEquals(0, health(reply.body()).getLong("attempts"), "the reset came after the outcome, as the client saw them");
              assertNull(health(reply.body()).getValue("last_status"));
              test.completeNow();
            })));
      });
    }));
  }

  @Test
  void aRateLimitCoolsTheEndpointDownUntilAResetThatFollowsIt(Vertx vertx, VertxTestContext test) {
    deployed(vertx).onComplete(test.succeeding(pool -> {
      Context requestLoop = vertx.getOrCreateContext();
      requestLoop.runOnContext(v -> {
        pool.report(RATE_LIMITED);
        vertx.eventBus().<JsonObject>request(Addresses.poolStatus("oai"), null)
            .compose(cooling -> {
              test.verify(() -> assertTrue(pool.health().get("oai-1").cooldownUntil() > 0, "cooling down: " + cooling.body()));
              return vertx.eventBus().request(Addresses.poolReset("oai"), null);
            })
            .onComplete(test.succeeding(reset -> test.verify(() -> {
              assertEquals(0, pool.health().get("oai-1").cooldownUntil());
              test.completeNow();
            })));
      });
    }));
  }

  @Test
  void routingsSnapshotIsReplacedOnlyWhenAnOutcomeChangesWhatRoutingReads(Vertx vertx, VertxTestContext test) {
    vertx.eventBus().registerDefaultCodec(AttemptOutcome.class, new LocalCodec<>(AttemptOutcome.class));
    List<AttemptOutcome> observed = new CopyOnWriteArrayList<>();
    Promise<Void> bothObserved = Promise.promise();
    vertx.eventBus().<AttemptOutcome>localConsumer(Addresses.poolOutcome("oai"), m -> {
      observed.add(m.body());
      if (observed.size() == 2) {
        bothObserved.complete();
      }
    });
    deployed(vertx).onComplete(test.succeeding(pool -> {
      Map<String, EndpointHealth> atStart = pool.health();
      pool.report(SUCCESS);
      pool.outcomes().settle()
          .compose(v -> {
            test.verify(() -> assertSame(atStart, pool.health(), "a success on a healthy endpoint changes nothing routing reads"));
            pool.report(RATE_LIMITED);
            return pool.outcomes().settle();
          })
          .compose(v -> bothObserved.future())
          .compose(v -> vertx.eventBus().<JsonObject>request(Addresses.poolStatus("oai"), null))
          .onComplete(test.succeeding(status -> test.verify(() -> {
            assertNotSame(atStart, pool.health());
            assertTrue(pool.health().get("oai-1").cooldownUntil() > 0);
            assertEquals(2, health(status.body()).getLong("attempts"), "the status counts every outcome");
            assertEquals(List.of(SUCCESS, RATE_LIMITED), observed, "each applied outcome is published for observers");
            test.completeNow();
          })));
    }));
  }
}
