package dev.ensemble.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Responses API client's {@code prompt_cache_key} is its session for cache-affinity routing, exactly like
 * {@code X-Ensemble-Session}: every turn of a session goes to the endpoint that session hashes to, whatever the
 * prompt, and the header, when sent too, wins.
 */
class PromptCacheKeyRoutingIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { local_dir: %s }
      providers:
        oai:
          type: openai
          base_url: %s
          strategy: session_affinity
          keys:
            - { name: k1, api_key: sk-test-pck-0001, endpoints: [ { id: e1 } ] }
            - { name: k2, api_key: sk-test-pck-0002, endpoints: [ { id: e2 } ] }
            - { name: k3, api_key: sk-test-pck-0003, endpoints: [ { id: e3 } ] }
            - { name: k4, api_key: sk-test-pck-0004, endpoints: [ { id: e4 } ] }
      models:
        gpt-test: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
      """.formatted(GatewayExtension.scratchDir("responses"), f.openAiBaseUrl()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void everyTurnOfASessionGoesWhereItsSessionHashes() throws Exception {
    Set<String> endpointsOfSessions = new HashSet<>();
    for (int session = 0; session < 8; session++) {
      String key = "codex-session-" + session;
      String byHeader = endpoint(chatWithSessionHeader(key, "first question of " + key));
      for (int turn = 0; turn < 3; turn++) {
        String byBody = endpoint(responses(new JsonObject().put("prompt_cache_key", key).put("input", "turn " + turn + " of " + key), null));
        assertEquals(byHeader, byBody, "session " + key + " turn " + turn);
      }
      endpointsOfSessions.add(byHeader);
    }
    assertTrue(endpointsOfSessions.size() > 1, "sessions spread over the endpoints: " + endpointsOfSessions);
  }

  @Test
  void theSessionHeaderWinsOverThePromptCacheKey() throws Exception {
    for (int i = 0; i < 6; i++) {
      String header = "header-session-" + i;
      String expected = endpoint(chatWithSessionHeader(header, "anything"));
      assertEquals(expected, endpoint(responses(new JsonObject().put("prompt_cache_key", "body-session-" + i).put("input", "hi"), header)));
    }
  }

  private HttpResponse<String> responses(JsonObject body, String sessionHeader) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/responses"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.put("model", "gpt-test").encode()));
    if (sessionHeader != null) {
      request.header("X-Ensemble-Session", sessionHeader);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chatWithSessionHeader(String session, String text) throws Exception {
    JsonObject body = new JsonObject().put("model", "gpt-test")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions")).header("content-type", "application/json")
        .header("X-Ensemble-Session", session).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String endpoint(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response.body());
    return response.headers().firstValue("x-ensemble-endpoint").orElseThrow();
  }
}
