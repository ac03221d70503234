package dev.ensemble.routing;

import dev.ensemble.bus.Addresses;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A multi-turn conversation against a two-key Anthropic pool whose fake upstream simulates Anthropic's
 * prompt cache per key: session affinity keeps it on the key whose cache holds its prefix, so every
 * follow-up reads from the cache; round robin spreads it and pays for the prefix again.
 */
class CacheAffinityIT {

  private static final String SYSTEM = "You are a meticulous assistant for a large codebase. ".repeat(180);

  static String config(FakeUpstreamExtension fake, String strategy) {
    return """
        server: { host: 127.0.0.1, port: 0 }
        responses: { local_dir: %s }
        providers:
          ant:
            type: anthropic
            base_url: %s
            strategy: %s
            keys:
              - { name: k1, api_key: sk-ant-key-one-0001, endpoints: [ { id: ant-1 } ] }
              - { name: k2, api_key: sk-ant-key-two-0002, endpoints: [ { id: ant-2 } ] }
        models:
          claude:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        """.formatted(GatewayExtension.scratchDir("responses"), fake.baseUrl(), strategy);
  }

  /** Runs a four-turn conversation; returns, per turn, {endpoint, reason, cache_read, cache_creation}. */
  static List<String[]> converse(GatewayExtension gateway) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    JsonArray messages = new JsonArray();
    List<String[]> turns = new ArrayList<>();
    for (int turn = 1; turn <= 4; turn++) {
      messages.add(new JsonObject().put("role", "user").put("content", "Question number " + turn));
      JsonObject body = new JsonObject().put("model", "claude").put("max_tokens", 200)
          .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", SYSTEM)
              .put("cache_control", new JsonObject().put("type", "ephemeral"))))
          .put("messages", messages.copy());
      CompletableFuture<Void> learnt = learnt(gateway);
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/messages"))
          .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      learnt.get(10, TimeUnit.SECONDS);
      JsonObject answer = new JsonObject(response.body());
      JsonObject usage = answer.getJsonObject("usage");
      turns.add(new String[] {
          response.headers().firstValue("x-ensemble-endpoint").orElseThrow(),
          response.headers().firstValue("x-ensemble-route-reason").orElseThrow(),
          Long.toString(usage.getLong("cache_read_input_tokens")),
          Long.toString(usage.getLong("cache_creation_input_tokens"))});
      messages.add(new JsonObject().put("role", "assistant").put("content", answer.getJsonArray("content").getJsonObject(0).getString("text")));
    }
    return turns;
  }

  /** Completes once the router verticle has taken in the next usage report (reports and status replies are ordered). */
  private static CompletableFuture<Void> learnt(GatewayExtension gateway) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    MessageConsumer<UsageReport> consumer = gateway.vertx().eventBus().localConsumer(Addresses.ROUTING_USAGE);
    consumer.handler(m -> {
      consumer.unregister();
      gateway.vertx().eventBus().request(Addresses.ROUTING_STATUS, null).onComplete(ar -> done.complete(null));
    });
    consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return done;
  }

  @Nested
  class WithSessionAffinity {
    @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
    @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> config(f, "session_affinity"));

    @Test
    void followUpsStayOnTheKeyWhoseCacheHoldsThePrefixAndReadFromIt() throws Exception {
      List<String[]> turns = converse(gateway);

      Set<String> endpoints = new HashSet<>();
      turns.forEach(t -> endpoints.add(t[0]));
      assertEquals(1, endpoints.size(), "one endpoint for the whole conversation");
      assertTrue(Long.parseLong(turns.get(0)[3]) > 1_024, "the first turn writes the prefix to the cache");
      for (String[] followUp : turns.subList(1, turns.size())) {
        assertEquals("cache_affinity", followUp[1]);
        assertTrue(Long.parseLong(followUp[2]) > 1_024, "follow-ups read the prefix from the cache");
      }
      JsonObject status = (JsonObject) gateway.vertx().eventBus().request(Addresses.ROUTING_STATUS, null)
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS).body();
      assertEquals(3, status.getJsonObject("cache_predictions").getLong("confirmed"));
      assertEquals(0, status.getJsonObject("cache_predictions").getLong("missed"));
    }
  }

  @Nested
  class WithRoundRobin {
    @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
    @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> config(f, "round_robin"));

    @Test
    void theConversationIsSpreadAndPaysForItsPrefixOnEachKey() throws Exception {
      List<String[]> turns = converse(gateway);

      Set<String> endpoints = new HashSet<>();
      turns.forEach(t -> endpoints.add(t[0]));
      assertEquals(Set.of("ant-1", "ant-2"), endpoints);
      assertTrue(Long.parseLong(turns.get(1)[3]) > 1_024, "the second key writes the prefix again");
    }
  }
}
