package dev.ensemble.resilience;

import dev.ensemble.testing.Eventually;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.AdminStatus;
import dev.ensemble.testing.gateway.GatewayExtension;
import dev.ensemble.testing.gateway.MovableClock;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Error-aware routing against misbehaving fake providers: an Anthropic-format provider {@code ant} on one
 * fake, an OpenAI-format provider {@code oai} with two keys on another, and a tightly limited provider. Each
 * attempt of {@code ant} and {@code oai} has 1.5 s ({@code timeout_ms: 1500}); the request has the default
 * {@code server.request_timeout_ms}. Routing and the pools read a {@link MovableClock}.
 */
class FailoverIT {

  private static final String ADMIN_KEY = "admin-secret-0123456789";
  private static final String KEY_A = "sk-oai-key-aaaa-0001";
  private static final String KEY_B = "sk-oai-key-bbbb-0002";
  private static final String ANT_KEY = "sk-ant-key-cccc-0003";

  @RegisterExtension @Order(1) static FakeUpstreamExtension ant = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension oai = new FakeUpstreamExtension();
  static final MovableClock clock = new MovableClock();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(ant, f -> """
      server: { host: 127.0.0.1, port: 0, admin_key: %s }
      responses: { local_dir: %s }
      providers:
        ant:
          type: anthropic
          base_url: %s
          timeout_ms: 1500
          keys: [ { name: main, api_key: %s, endpoints: [ { id: ant-1 } ] } ]
        oai:
          type: openai
          base_url: %s
          strategy: round_robin
          timeout_ms: 1500
          keys:
            - { name: a, api_key: %s, endpoints: [ { id: oai-a } ] }
            - { name: b, api_key: %s, endpoints: [ { id: oai-b } ] }
        lim:
          type: openai
          base_url: %s
          keys: [ { name: l, api_key: %s, endpoints: [ { id: lim-1, rpm_limit: 2 } ] } ]
      models:
        gpt: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
        dual: { providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 }, { provider: oai, model: gpt-4o-mini } ] }
        tiny: { providers: [ { provider: lim, model: gpt-4o-mini } ] }
      """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"), ant.baseUrl(), ANT_KEY, oai.openAiBaseUrl(), KEY_A, KEY_B,
      oai.openAiBaseUrl(), KEY_A)).withClock(clock);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> chat(String model, boolean stream) throws Exception {
    String body = new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode();
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions")).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject status() throws Exception {
    return AdminStatus.fetch(http, gateway.baseUrl(), ADMIN_KEY);
  }

  /**
   * When the {@code oai} endpoint's cooldown ends, as /admin/status shows it once the pool verticle applied the
   * attempt's outcome (published on the event bus as the answer goes out, so a fast client may ask before).
   */
  private long cooldownUntil(String endpointId) throws Exception {
    Eventually.eventually(endpointId + " cooling down in /admin/status",
        () -> endpoint(status(), "oai", endpointId).getJsonObject("health").getString("cooldown_until") != null);
    return epochMillis(endpoint(status(), "oai", endpointId).getJsonObject("health").getString("cooldown_until"));
  }

  private static long epochMillis(String instant) {
    return java.time.Instant.parse(instant).toEpochMilli();
  }

  /** The text of an OpenAI-format stream: every {@code delta.content} in order. */
  private static String streamedText(String sse) {
    StringBuilder text = new StringBuilder();
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        JsonArray choices = new JsonObject(line.substring("data: ".length())).getJsonArray("choices");
        if (choices != null && !choices.isEmpty() && choices.getJsonObject(0).getJsonObject("delta") != null) {
          text.append(choices.getJsonObject(0).getJsonObject("delta").getString("content", ""));
        }
      }
    }
    return text.toString();
  }

  private static JsonObject endpoint(JsonObject status, String provider, String id) {
    return AdminStatus.endpoint(status, provider, id);
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElseThrow();
  }

  private static String keyOf(int request) {
    return oai.requests().get(request).header("authorization").substring("Bearer ".length());
  }

  @Test
  void failsOverToTheSecondKeyOn429AndCoolsTheFirstDownForAsLongAsTheProviderSaid() throws Exception {
    oai.enqueue(Reply.error(429, "rate_limit_error", "Rate limit reached").header("retry-after", "30"));
    long before = clock.getAsLong();

    HttpResponse<String> response = chat("gpt", false);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals("failover:429", header(response, "x-ensemble-route-reason"));
    assertNotEquals(keyOf(0), keyOf(1));
    String limited = keyOf(0).equals(KEY_A) ? "oai-a" : "oai-b";
    long cooldownUntil = cooldownUntil(limited);
    long after = clock.getAsLong(); // the pool applies the 429's outcome asynchronously: at the latest by now
    assertTrue(cooldownUntil >= before + 30_000 && cooldownUntil <= after + 30_000,
        "cooled down for the 30 s of retry-after: until " + cooldownUntil + ", the 429 came and was applied between " + before + " and " + after);
    for (int i = 0; i < 3; i++) {
      assertNotEquals(limited, header(chat("gpt", false), "x-ensemble-endpoint"), "a cooling endpoint gets no traffic");
    }
    clock.advance(25_000);
    for (int i = 0; i < 3; i++) {
      assertNotEquals(limited, header(chat("gpt", false), "x-ensemble-endpoint"), "still cooling 25 s later");
    }
    clock.advance(6_000);
    String next = header(chat("gpt", false), "x-ensemble-endpoint");
    String afterNext = header(chat("gpt", false), "x-ensemble-endpoint");
    assertTrue(limited.equals(next) || limited.equals(afterNext), "once the 30 s are over round robin reaches the endpoint again");
  }

  @Test
  void aKeyWhoseRateLimitHeadersSayItIsUsedUpGetsNoTrafficUntilTheReset() throws Exception {
    oai.enqueue(Reply.text("last one").header("x-ratelimit-remaining-requests", "0").header("x-ratelimit-reset-requests", "20s"));
    long before = clock.getAsLong();

    HttpResponse<String> first = chat("gpt", false);
    String exhausted = header(first, "x-ensemble-endpoint");

    assertEquals(200, first.statusCode(), first.body());
    long cooldownUntil = cooldownUntil(exhausted);
    // the pool applies an outcome after the answer left (asynchronously), so the cooldown starts at the latest when
    // /admin/status shows it
    long after = clock.getAsLong();
    assertTrue(cooldownUntil >= before + 20_000 && cooldownUntil <= after + 20_000, "until the reset 20 s later: " + cooldownUntil);
    for (int i = 0; i < 3; i++) {
      assertNotEquals(exhausted, header(chat("gpt", false), "x-ensemble-endpoint"));
    }
  }

  @Test
  void anthropicOverloadedFailsOverToAnotherProvider() throws Exception {
    ant.enqueue(Reply.error(529, "overloaded_error", "Overloaded"));

    HttpResponse<String> response = chat("dual", false);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
    assertEquals("failover:529", header(response, "x-ensemble-route-reason"));
    assertEquals(1, ant.requestCount());
  }

  @Test
  void anthropicConflictFailsOverToAnotherProvider() throws Exception {
    ant.enqueue(Reply.error(409, "conflict_error", "Conflict"));

    HttpResponse<String> response = chat("dual", false);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
    assertEquals("failover:409", header(response, "x-ensemble-route-reason"));
  }

  @Test
  void serverErrorFailsOverToAnotherProvider() throws Exception {
    ant.enqueue(Reply.error(500, "api_error", "Internal server error"));

    HttpResponse<String> response = chat("dual", true);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
    assertTrue(response.body().contains("data: [DONE]"), response.body());
  }

  @Test
  void anAttemptThatTimesOutFailsOverToTheOtherProvider() throws Exception {
    ant.enqueue(Reply.hang());

    HttpResponse<String> response = chat("dual", false);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals("failover:timeout", header(response, "x-ensemble-route-reason"));
    assertEquals("echo: hello", new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals(1, ant.requestCount());
    assertEquals(1, oai.requestCount());
  }

  @Test
  void aStreamWhoseFirstByteTimesOutFailsOverToTheOtherProvider() throws Exception {
    ant.enqueue(Reply.hang());

    HttpResponse<String> response = chat("dual", true);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
    assertEquals("failover:timeout", header(response, "x-ensemble-route-reason"));
    assertEquals("echo: hello", streamedText(response.body()));
    assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    assertFalse(response.body().contains("\"error\""), response.body());
    assertEquals(1, ant.requestCount());
  }

  @Test
  void streamBrokenBeforeItsFirstEventFailsOverCleanly() throws Exception {
    ant.enqueue(Reply.text("never shown").cutAfterEvents(0));

    HttpResponse<String> response = chat("dual", true);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("oai", header(response, "x-ensemble-provider"));
    assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    assertFalse(response.body().contains("\"error\""), response.body());
  }

  @Test
  void streamCutAfterItsFirstByteIsNotRetriedButEndsWithAnErrorEvent() throws Exception {
    ant.enqueue(Reply.text("one two three four five").cutAfterEvents(4));

    HttpResponse<String> response = chat("dual", true);

    assertEquals("1", header(response, "x-ensemble-attempts"));
    assertTrue(response.body().contains("\"error\""), response.body());
    assertEquals(0, oai.requestCount());
  }

  @Test
  void aStreamThatFallsSilentLongerThanItsIdleTimeoutEndsWithAnErrorEvent() throws Exception {
    ant.enqueue(Reply.text("one two three four five").eventDelayMs(5_000));

    HttpResponse<String> response = chat("dual", true);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("1", header(response, "x-ensemble-attempts"));
    assertTrue(response.body().contains("did not answer within 1500 ms"), response.body());
    assertFalse(response.body().contains("data: [DONE]"), response.body());
    assertEquals(0, oai.requestCount());
  }

  @Test
  void aStreamWhoseEventsKeepComingWithinItsIdleTimeoutCompletesHoweverLongItLasts() throws Exception {
    // about twelve Anthropic events 300 ms apart: the stream lasts over twice the 1500 ms idle timeout
    ant.enqueue(Reply.text("one two three four five six").eventDelayMs(300));

    HttpResponse<String> response = chat("dual", true);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("one two three four five six", streamedText(response.body()));
    assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    assertFalse(response.body().contains("\"error\""), response.body());
  }

  @Test
  void rejectedKeyIsDisabledVisiblyAndTheRequestServedFromAnotherKey() throws Exception {
    oai.server().acceptKeys(KEY_B);

    HttpResponse<String> first = chat("gpt", false);
    HttpResponse<String> second = chat("gpt", false);
    JsonObject status = status();

    assertEquals(200, first.statusCode(), first.body());
    assertEquals(200, second.statusCode(), second.body());
    assertEquals(1, java.util.stream.Stream.of(first, second)
        .filter(r -> header(r, "x-ensemble-route-reason").equals("failover:auth")).count(), "round robin reached key a once");
    assertEquals(true, endpoint(status, "oai", "oai-a").getJsonObject("health").getBoolean("key_disabled"));
    assertEquals(false, endpoint(status, "oai", "oai-a").getBoolean("usable"), "a disabled key's endpoint gets no traffic: not usable");
    assertEquals(true, endpoint(status, "oai", "oai-b").getBoolean("usable"));
    assertEquals("degraded", status.getString("status"));
    for (int i = 0; i < 4; i++) {
      assertEquals("oai-b", header(chat("gpt", false), "x-ensemble-endpoint"));
    }
    assertFalse(status.encode().contains(KEY_A), "no raw key in /admin/status");
  }

  @Test
  void whenEveryKeyIsRejectedTheClientGets502UpstreamAuthFailed() throws Exception {
    oai.server().acceptKeys("some-other-key");

    HttpResponse<String> response = chat("gpt", false);

    assertEquals(502, response.statusCode());
    assertEquals("upstream_auth_failed", new JsonObject(response.body()).getJsonObject("error").getString("code"));
    assertEquals("2", header(response, "x-ensemble-attempts"));
  }

  @Test
  void permanentErrorsAreReturnedAtOnce() throws Exception {
    ant.enqueue(Reply.error(400, "invalid_request_error", "messages: too long"));

    HttpResponse<String> response = chat("dual", false);

    assertEquals(400, response.statusCode());
    assertEquals("1", header(response, "x-ensemble-attempts"));
    assertEquals(0, oai.requestCount());
  }

  @Test
  void whenEveryEndpointIsAtItsLimitTheClientGets429WithRetryAfter() throws Exception {
    assertEquals(200, chat("tiny", false).statusCode());
    assertEquals(200, chat("tiny", false).statusCode());

    HttpResponse<String> limited = chat("tiny", false);

    assertEquals(429, limited.statusCode());
    assertTrue(Long.parseLong(header(limited, "retry-after")) >= 1);
    assertEquals("rate_limit_error", new JsonObject(limited.body()).getJsonObject("error").getString("type"));
    assertEquals(2, oai.requestCount());
  }

  @Test
  void circuitOpensAfterRepeatedFailuresAndTrafficSkipsTheProvider() throws Exception {
    for (int i = 0; i < 5; i++) {
      ant.enqueue(Reply.error(500, "api_error", "Internal server error"));
      assertEquals(200, chat("dual", false).statusCode());
    }

    HttpResponse<String> next = chat("dual", false);

    assertEquals("oai", header(next, "x-ensemble-provider"));
    assertEquals("1", header(next, "x-ensemble-attempts"));
    assertEquals(5, ant.requestCount());
    assertEquals("open", endpoint(status(), "ant", "ant-1").getJsonObject("health").getString("circuit"));
  }

  @Test
  void adminStatusNeedsTheAdminKey() throws Exception {
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/status")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/status"))
        .header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(401, anonymous.statusCode());
    assertEquals(401, wrong.statusCode());
    JsonObject status = status();
    assertEquals("local", status.getJsonObject("rate_limits").getString("mode"));
    assertEquals(3, status.getJsonArray("providers").size());
    assertFalse(status.encode().contains(ANT_KEY));
  }
}
