package dev.ensemble.resilience;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The request's own deadline ({@code server.request_timeout_ms: 2500}) against its attempts' timeouts: {@code ant}
 * gives up on an attempt after 1.5 s, {@code oai} only after 30 s, so a request both hang on can only end in time by
 * its deadline. The workflow route {@code patient} has a {@code timeout_ms} of its own, longer than the server's.
 */
class RequestDeadlineIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension ant = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(ant, f -> """
      server: { host: 127.0.0.1, port: 0, request_timeout_ms: 2500 }
      responses: { local_dir: %s }
      providers:
        ant:
          type: anthropic
          base_url: %s
          timeout_ms: 1500
          keys: [ { name: main, api_key: sk-ant-deadline-0001, endpoints: [ { id: ant-1 } ] } ]
        oai:
          type: openai
          base_url: %s
          timeout_ms: 30000
          keys: [ { name: main, api_key: sk-oai-deadline-0002, endpoints: [ { id: oai-1 } ] } ]
      models:
        dual: { providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 }, { provider: oai, model: gpt-4o-mini } ] }
        vectors: { kind: embedding, providers: [ { provider: oai, model: text-embedding-3-small } ] }
      routes:
        patient: { model: dual, timeout_ms: 20000 }
      """.formatted(GatewayExtension.scratchDir("responses"), ant.baseUrl(), oai.openAiBaseUrl()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject chat(String model, boolean stream) {
    return new JsonObject().put("model", model).put("stream", stream).put("max_tokens", 64)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello")));
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElseThrow();
  }

  @Test
  void theDeadlineEndsARequestEveryAttemptHangsOnWith504InTheAnthropicFormat() throws Exception {
    ant.enqueue(Reply.hang());
    oai.enqueue(Reply.hang());

    HttpResponse<String> response = post("/v1/messages", chat("dual", false));

    assertEquals(504, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("error", body.getString("type"), response.body());
    assertTrue(body.getJsonObject("error").getString("message").contains("2500 ms (server.request_timeout_ms)"), response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"), "the first attempt timed out and failed over, the deadline cut the second");
    assertEquals(1, ant.requestCount());
    assertEquals(1, oai.requestCount());
  }

  @Test
  void theDeadlineEndsAStreamedRequestBeforeItsFirstByteWith504InTheOpenAiFormat() throws Exception {
    ant.enqueue(Reply.hang());
    oai.enqueue(Reply.hang());

    HttpResponse<String> response = post("/v1/chat/completions", chat("dual", true));

    assertEquals(504, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("upstream_timeout", error.getString("code"), response.body());
    assertTrue(error.getString("message").contains("server.request_timeout_ms"), response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"));
  }

  @Test
  void aRouteTimeoutReplacesTheServerDeadline() throws Exception {
    ant.enqueue(Reply.hang(), Reply.hang());
    oai.enqueue(Reply.text("slow but sure").latencyMs(1_500), Reply.text("slow but sure").latencyMs(1_500));

    HttpResponse<String> plain = post("/v1/chat/completions", chat("dual", false));
    HttpResponse<String> routed = post("/v1/workflows/patient", chat("ignored", false));

    assertEquals(504, plain.statusCode(), "1.5 s timed out on ant plus 1.5 s on oai is past the server's 2.5 s: " + plain.body());
    assertEquals(200, routed.statusCode(), routed.body());
    assertEquals("oai", header(routed, "x-ensemble-provider"));
    assertEquals("failover:timeout", header(routed, "x-ensemble-route-reason"));
    assertEquals("slow but sure", new JsonObject(routed.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
  }

  @Test
  void theDeadlineEndsAnEmbeddingsRequestWhoseUpstreamHangs() throws Exception {
    oai.enqueue(Reply.hang());

    HttpResponse<String> response = post("/v1/embeddings", new JsonObject().put("model", "vectors").put("input", "hello"));

    assertEquals(504, response.statusCode(), response.body());
    assertTrue(new JsonObject(response.body()).getJsonObject("error").getString("message").contains("server.request_timeout_ms"), response.body());
  }
}
