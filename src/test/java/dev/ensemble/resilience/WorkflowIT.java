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
 * Workflow routes ({@code POST /v1/workflows/<name>}): their {@code retry.max_attempts} and {@code fallback} chain.
 * The model {@code primary} is served by three OpenAI-format providers on one fake (so three attempts are possible),
 * {@code backup} by an Anthropic-format provider on another.
 */
class WorkflowIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension ant = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(oai, f -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { local_dir: %s }
      providers:
        o1: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wf-0001, endpoints: [ { id: o1-1 } ] } ] }
        o2: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wf-0002, endpoints: [ { id: o2-1 } ] } ] }
        o3: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wf-0003, endpoints: [ { id: o3-1 } ] } ] }
        lim: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wf-0005, endpoints: [ { id: lim-1 } ] } ] }
        solo: { type: openai, base_url: %2$s, keys: [ { name: k, api_key: sk-wf-0006, endpoints: [ { id: solo-1 } ] } ] }
        ant: { type: anthropic, base_url: %3$s, keys: [ { name: k, api_key: sk-wf-0004, endpoints: [ { id: ant-1 } ] } ] }
      models:
        primary:
          providers:
            - { provider: o1, model: gpt-4o-mini }
            - { provider: o2, model: gpt-4o-mini }
            - { provider: o3, model: gpt-4o-mini }
        limited: { providers: [ { provider: lim, model: gpt-4o-mini } ] }
        backup: { providers: [ { provider: ant, model: claude-haiku-4-5 } ] }
        single: { providers: [ { provider: solo, model: gpt-4o-mini } ] }
      routes:
        twice: { model: primary, retry: { max_attempts: 2, initial_backoff_ms: 1, jitter: false } }
        chain: { model: primary, fallback: [ backup ], retry: { max_attempts: 1, initial_backoff_ms: 1, jitter: false } }
        limited_chain: { model: limited, fallback: [ backup ], retry: { max_attempts: 1, initial_backoff_ms: 1 } }
        thrice: { model: single, retry: { max_attempts: 3, initial_backoff_ms: 1, jitter: false } }
      """.formatted(GatewayExtension.scratchDir("responses"), oai.openAiBaseUrl(), ant.baseUrl()));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> workflow(String name) throws Exception {
    return workflow(name, "hello");
  }

  private HttpResponse<String> workflow(String name, String prompt) throws Exception {
    String body = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt))).encode();
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/workflows/" + name)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElseThrow();
  }

  private static String answer(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  @Test
  void aRouteTriesItsModelNoMoreThanRetryMaxAttemptsTimes() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"), Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = workflow("twice");

    assertEquals(502, response.statusCode(), "a third provider was there, but the route allows two attempts: " + response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals(2, oai.requestCount());
  }

  @Test
  void aRouteWithinItsAttemptsIsServedByTheNextProvider() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = workflow("twice");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("failover:500", header(response, "x-ensemble-route-reason"));
    assertEquals(2, oai.requestCount());
  }

  @Test
  void aRouteRetriesTheOnlyEndpointOfItsModelAfterAServerError() throws Exception {
    oai.enqueue(Reply.error(503, "server_error", "busy"), Reply.error(500, "server_error", "boom"), Reply.text("third time"));

    HttpResponse<String> response = workflow("thrice");

    assertEquals(200, response.statusCode(), "retry.max_attempts: 3 on a model with one endpoint: " + response.body());
    assertEquals("3", header(response, "x-ensemble-attempts"));
    assertEquals("third time", answer(response));
    assertEquals(3, oai.requestCount());
  }

  @Test
  void aRouteRetryingItsOnlyEndpointStopsAtMaxAttempts() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"), Reply.error(500, "server_error", "boom"), Reply.error(500, "server_error", "boom"));

    HttpResponse<String> response = workflow("thrice");

    assertEquals(502, response.statusCode(), response.body());
    assertEquals("3", header(response, "x-ensemble-attempts"));
    assertEquals(3, oai.requestCount());
  }

  @Test
  void whenItsModelFailsARouteFallsBackToTheNextModelOfItsChain() throws Exception {
    oai.enqueue(Reply.error(500, "server_error", "boom"));
    ant.enqueue(Reply.text("from the backup"));

    HttpResponse<String> response = workflow("chain");

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("fallback:500", header(response, "x-ensemble-route-reason"));
    assertEquals("ant", header(response, "x-ensemble-provider"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals("from the backup", answer(response));
    assertEquals(1, oai.requestCount(), "max_attempts: 1 leaves the other providers of the model untried");
    assertEquals(1, ant.requestCount());
  }

  @Test
  void aRouteWhoseModelIsCoolingDownGoesStraightToItsFallback() throws Exception {
    oai.enqueue(Reply.error(429, "rate_limit_exceeded", "slow down").header("retry-after", "60"));
    ant.enqueue(Reply.text("first from the backup"), Reply.text("second from the backup"));

    HttpResponse<String> first = workflow("limited_chain", "one");
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("first from the backup", answer(first));

    HttpResponse<String> second = workflow("limited_chain", "two");

    assertEquals(200, second.statusCode(), "the model's only endpoint waits 60 s; the route has a fallback: " + second.body());
    assertEquals("second from the backup", answer(second));
    assertEquals("ant", header(second, "x-ensemble-provider"));
    assertTrue(header(second, "x-ensemble-route-reason").startsWith("fallback:"), header(second, "x-ensemble-route-reason"));
    assertEquals(1, oai.requestCount(), "the cooling endpoint was not asked again");
  }
}
