package dev.ensemble.providers.vertex;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.FakeVertexExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.ServiceAccountKey;
import dev.ensemble.testing.gateway.AdminStatus;
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
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway in front of a fake Vertex AI whose fake Google token endpoint refuses one service account's grant
 * ({@code 400 invalid_grant}, as for a deleted or disabled key): the key is disabled like one the API answers 401,
 * and the request is served by the provider's other key. Provider {@code vtx} has the keys {@code refused} and
 * {@code good}; {@code lone} has one key.
 */
class VertexKeyRefusedIT {

  private static final String ADMIN_KEY = "admin-secret-0123456789";
  private static final String GRANT_REFUSED = "Invalid grant: account not found";

  @RegisterExtension @Order(1) static FakeVertexExtension vertex = new FakeVertexExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension unused = new FakeUpstreamExtension();
  private static ServiceAccountKey refused;
  private static ServiceAccountKey good;
  private static ServiceAccountKey lone;
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(unused, f -> {
    refused = vertex.oauth().newAccount("refused", "proj-r");
    good = vertex.oauth().newAccount("good", "proj-g");
    lone = vertex.oauth().newAccount("lone", "proj-l");
    return """
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        responses: { local_dir: %s }
        providers:
          vtx:
            type: vertex
            base_url: %s
            strategy: round_robin
            timeout_ms: 4000
            keys:
              - { name: refused, api_key: '%s', endpoints: [ { id: vtx-r, region: us-east5 } ] }
              - { name: good, api_key: '%s', endpoints: [ { id: vtx-g, region: us-east5 } ] }
          lone:
            type: vertex
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: lone, api_key: '%s', endpoints: [ { id: lone-1, region: us-east5 } ] } ]
        models:
          claude-v: { providers: [ { provider: vtx, model: claude-sonnet-4-5@20250929 } ] }
          gem-emb:
            kind: embedding
            cache: { mode: none }
            providers: [ { provider: vtx, model: gemini-embedding-001 } ]
          claude-lone: { providers: [ { provider: lone, model: claude-sonnet-4-5@20250929 } ] }
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"), vertex.baseUrl(), refused.json(), good.json(),
        vertex.baseUrl(), lone.json());
  });

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void aKeyWhoseGrantIsRefusedIsDisabledAndTheOtherKeyServes() throws Exception {
    vertex.oauth().refuseGrantsOf(refused.clientEmail(), GRANT_REFUSED);

    HttpResponse<String> first = chat("claude-v", false);
    HttpResponse<String> second = chat("claude-v", true);

    for (HttpResponse<String> response : List.of(first, second)) {
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("vtx-g", header(response, "x-ensemble-endpoint"));
    }
    assertEquals(1, List.of(first, second).stream()
        .filter(r -> "failover:auth".equals(header(r, "x-ensemble-route-reason")) && "2".equals(header(r, "x-ensemble-attempts"))).count(),
        "round robin reached the refused key once");
    JsonObject health = endpoint(status(), "vtx", "vtx-r").getJsonObject("health");
    assertEquals(true, health.getBoolean("key_disabled"), health.encode());
    assertEquals("invalid_grant", health.getString("last_error"), health.encode());

    int tokenRequests = vertex.oauth().calls();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> again = chat("claude-v", i % 2 == 0);
      assertEquals(200, again.statusCode(), again.body());
      assertEquals("vtx-g", header(again, "x-ensemble-endpoint"));
      assertEquals("1", header(again, "x-ensemble-attempts"));
    }
    assertEquals(tokenRequests, vertex.oauth().calls(), "no token is asked for the disabled key (nor for the cached good one)");
    assertTrue(vertex.requests().stream().allMatch(r -> good.clientEmail().equals(owner(r))), "only the good key reached Vertex");
  }

  @Test
  void anEmbeddingsRequestAlsoMovesToTheOtherKey() throws Exception {
    vertex.oauth().refuseGrantsOf(refused.clientEmail(), GRANT_REFUSED);

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response = post("/v1/embeddings", new JsonObject().put("model", "gem-emb").put("input", "hello " + i));
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("vtx-g", header(response, "x-ensemble-endpoint"));
    }
    assertEquals(true, endpoint(status(), "vtx", "vtx-r").getJsonObject("health").getBoolean("key_disabled"));
  }

  @Test
  void aRefusedOnlyKeyIsAnUpstreamAuthFailureWithoutGooglesText() throws Exception {
    vertex.oauth().refuseGrantsOf(lone.clientEmail(), GRANT_REFUSED);

    HttpResponse<String> response = chat("claude-lone", false);

    assertEquals(502, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("upstream_auth_failed", error.getString("code"));
    assertTrue(error.getString("message").contains("invalid_grant"), error.getString("message"));
    assertFalse(response.body().contains(GRANT_REFUSED), response.body());
    assertFalse(response.body().contains(lone.clientEmail()), response.body());
    assertEquals(0, vertex.requestCount(), "nothing reached Vertex");
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  private static String owner(RecordedRequest request) {
    String authorization = request.header("authorization");
    return authorization == null ? null : vertex.oauth().ownerOf(authorization.substring("Bearer ".length()));
  }

  private HttpResponse<String> chat(String model, boolean stream) throws Exception {
    return post("/v1/chat/completions", new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject status() throws Exception {
    return AdminStatus.fetch(http, gateway.baseUrl(), ADMIN_KEY);
  }

  private static JsonObject endpoint(JsonObject status, String provider, String id) {
    return AdminStatus.endpoint(status, provider, id);
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}
