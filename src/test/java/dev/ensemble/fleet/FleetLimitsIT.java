package dev.ensemble.fleet;

import dev.ensemble.ratelimit.RedisServerExtension;
import dev.ensemble.testing.cluster.ClusterNodes;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three clustered nodes sharing a real Redis server: a client's {@code rpm_limit} is one count for the whole fleet,
 * whichever nodes its requests reach.
 */
class FleetLimitsIT {

  private static final String ADMIN_KEY = "admin-fleet-limits-key";

  @RegisterExtension @Order(1) static RedisServerExtension redis = new RedisServerExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private static ClusterNodes fleet;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void startThreeNodes() throws Exception {
    fleet = ClusterNodes.start(3, i -> """
        server: { host: 127.0.0.1, port: 0, admin_key: %s, require_client_keys: true }
        storage: { sqlite_path: %s/ensemble.db }
        responses: { local_dir: %s/responses }
        redis: { address: "%s" }
        cluster: { enabled: true }
        providers:
          oai: { type: openai, base_url: %s, keys: [ { name: k, api_key: sk-fleet-limits-0001, endpoints: [ { id: oai-1 } ] } ] }
        models:
          gpt: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("limits-" + i), GatewayExtension.scratchDir("limits-" + i), redis.address(),
        fake.openAiBaseUrl()));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  @Test
  void aClientsRateLimitIsOneCountAcrossTheFleet() throws Exception {
    HttpResponse<String> created = send(0, "/admin/clients", ADMIN_KEY, new JsonObject().put("name", "limited").put("rpm_limit", 3));
    assertEquals(201, created.statusCode(), created.body());
    String key = new JsonObject(created.body()).getString("key");
    JsonObject chat = new JsonObject().put("model", "gpt")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));

    for (int node = 0; node < 3; node++) {
      HttpResponse<String> served = send(node, "/v1/chat/completions", key, chat);
      assertEquals(200, served.statusCode(), "node " + node + ": " + served.body());
    }
    for (int node = 0; node < 3; node++) {
      HttpResponse<String> refused = send(node, "/v1/chat/completions", key, chat);
      assertEquals(429, refused.statusCode(), "node " + node + ": the fleet already took the client's 3 requests this minute");
      assertTrue(refused.body().contains("over its limit of 3 requests per minute"), refused.body());
      assertTrue(refused.headers().firstValue("retry-after").isPresent());
    }
  }

  private HttpResponse<String> send(int node, String path, String key, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(fleet.node(node).baseUrl() + path)).header("authorization", "Bearer " + key)
        .header("content-type", "application/json").timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }
}
