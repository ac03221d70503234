package dev.ensemble.resilience;

import dev.ensemble.ratelimit.RedisServerExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two gateway nodes sharing one real Redis for their rate limits: together they admit exactly the limit (a
 * sliding 60-second window, however long the burst takes), keep serving on local limits while Redis is down,
 * and count exactly again once it is back. Redis is emptied before each test, so the tests share no counts.
 */
class RedisLimitsIT {

  private static final String ADMIN_KEY = "admin-key-redis-test-0001";

  @RegisterExtension @Order(1) static RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension nodeA = GatewayExtension.withConfig(fake, RedisLimitsIT::config);
  @RegisterExtension @Order(4) static GatewayExtension nodeB = GatewayExtension.withConfig(fake, RedisLimitsIT::config);

  private static String config(FakeUpstreamExtension fake) {
    return """
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        responses: { local_dir: %s }
        redis: { address: "%s" }
        providers:
          oai:
            type: openai
            base_url: %s
            keys:
              - { name: k, api_key: sk-test-redis-0001, endpoints: [ { id: shared-1, rpm_limit: 100 } ] }
              - { name: k2, api_key: sk-test-redis-0002, endpoints: [ { id: shared-2, rpm_limit: 100 } ] }
          warm:
            type: openai
            base_url: %4$s
            keys:
              - { name: w, api_key: sk-test-redis-0003, endpoints: [ { id: warm-1, rpm_limit: 100000 } ] }
        models:
          one: { providers: [ { provider: oai, model: gpt-a } ] }
          warm: { providers: [ { provider: warm, model: gpt-w } ] }
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"), redis.address(), fake.openAiBaseUrl());
  }

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  /** Sends {@code n} requests for model "one", alternating between the nodes, all in flight at once; returns their statuses. */
  private List<Integer> burst(int n, String session) throws Exception {
    return burst(n, session, "one");
  }

  private List<Integer> burst(int n, String session, String model) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      GatewayExtension node = i % 2 == 0 ? nodeA : nodeB;
      String body = new JsonObject().put("model", model).put("max_tokens", 5)
          .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi " + i))).encode();
      calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(20))
          .header("content-type", "application/json").header("X-Ensemble-Session", session)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    List<Integer> statuses = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      statuses.add(call.get(30, TimeUnit.SECONDS).statusCode());
    }
    return statuses;
  }

  /**
   * Opens both nodes' pooled Redis connections (through an endpoint whose limit is never reached), so that a
   * measured burst counts admissions rather than waiting on connection set-up on a busy machine.
   */
  private void warmUp() throws Exception {
    assertEquals(40, count(burst(40, "warm", "warm"), 200));
    await(nodeA, l -> "redis".equals(l.getString("mode")));
    await(nodeB, l -> "redis".equals(l.getString("mode")));
  }

  private long fallbacks() throws Exception {
    return limits(nodeA).getLong("fallbacks") + limits(nodeB).getLong("fallbacks");
  }

  private JsonObject limits(GatewayExtension node) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/admin/status"))
        .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(response.body()).getJsonObject("rate_limits");
  }

  /** Completes when {@code check} holds for the node's rate-limit status, polling on the node's own timer. */
  private void await(GatewayExtension node, Function<JsonObject, Boolean> check) throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    long timer = node.vertx().setPeriodic(100, t -> node.vertx().executeBlocking(() -> {
      if (check.apply(limits(node))) {
        done.complete(null);
      }
      return null;
    }));
    try {
      done.get(20, TimeUnit.SECONDS);
    } finally {
      node.vertx().cancelTimer(timer);
    }
  }

  private static long count(List<Integer> statuses, int status) {
    return statuses.stream().filter(s -> s == status).count();
  }

  @Test
  void twoNodesTogetherAdmitExactlyTheLimitNeverOneMore() throws Exception {
    warmUp();
    long fallbacks = fallbacks();
    int upstreamBefore = fake.requestCount();

    List<Integer> statuses = burst(260, "s1");

    assertEquals("redis", limits(nodeA).getString("mode"), limits(nodeA).encode());
    assertEquals("redis", limits(nodeB).getString("mode"), limits(nodeB).encode());
    assertEquals(200, count(statuses, 200), "2 endpoints x rpm 100 across both nodes");
    assertEquals(60, count(statuses, 429));
    assertEquals(200, fake.requestCount() - upstreamBefore);
    assertEquals(fallbacks, fallbacks(), "every admission was counted in Redis");
  }

  @Test
  void requestsKeepFlowingWhileRedisIsDownAndCountingIsExactAgainWhenItIsBack() throws Exception {
    redis.stop();
    List<Integer> duringOutage = burst(20, "s2");

    assertEquals(20, count(duringOutage, 200), "no request fails because Redis is down");
    assertEquals("degraded", limits(nodeA).getString("mode"));
    assertEquals("degraded", limits(nodeB).getString("mode"));

    redis.restart();
    await(nodeA, l -> "redis".equals(l.getString("mode")));
    await(nodeB, l -> "redis".equals(l.getString("mode")));
    warmUp();
    long fallbacks = fallbacks();
    int upstreamBefore = fake.requestCount();
    List<Integer> afterwards = burst(260, "s3");

    assertEquals(200, count(afterwards, 200), "exact again: 2 endpoints x rpm 100 across both nodes");
    assertEquals(60, count(afterwards, 429));
    assertEquals(200, fake.requestCount() - upstreamBefore);
    assertEquals(fallbacks, fallbacks(), "every admission was counted in Redis again");
    assertEquals("redis", limits(nodeA).getString("mode"));
    assertEquals("redis", limits(nodeB).getString("mode"));
  }
}
