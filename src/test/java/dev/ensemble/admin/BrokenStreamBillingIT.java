package dev.ensemble.admin;

import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.AdminStatus;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stream that breaks after it began is billed with the usage the upstream had reported up to the break (what the
 * provider bills), in the ledger and in the stored response, which stays failed: Anthropic's {@code message_start}
 * input and cache counts and the last {@code message_delta} output, Gemini's last {@code usageMetadata}; an OpenAI
 * stream, whose usage comes only in its last chunk, has none to bill. Each test counts only its own request, by
 * querying the ledger from the instant it started.
 */
class BrokenStreamBillingIT {

  private static final String ADMIN_KEY = "admin-broken-0123456789";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f ->
      GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, "")
          .replace("  mock:\n", "  gem:\n    type: gemini\n    base_url: " + gemini.baseUrl() + "\n    timeout_ms: 4000\n"
              + "    idle_timeout_ms: 1000\n    keys: [ { name: g, api_key: AIza-test-gemini-key-bill, endpoints: [ { id: gem-1 } ] } ]\n"
              + "  mock:\n")
          .replace("  mock-1:\n", "  gem-test:\n    pricing: { input: 0.30, output: 2.50, cache_read: 0.03 }\n"
              + "    providers: [ { provider: gem, model: gemini-2.5-flash } ]\n  mock-1:\n"));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void anAnthropicStreamCutAfterSomeDeltasIsBilledWithTheInputAndCacheTokensOfItsMessageStart() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    // message_start (input 1000, cache write 2000, cache read 5000, output 1), a block's start, a ping, two deltas: cut
    fake.enqueue(Reply.text("alpha beta gamma delta").usage(1000, 200, 5000, 2000).cutAfterEvents(5));

    HttpResponse<String> answer = anthropic("claude-test");

    assertTrue(answer.body().contains("event: error"), answer.body());
    // claude-test: (1000 x 3.00 + 1 x 15.00 + 5000 x 0.30 + 2000 x 3.75) / 1M = (3000 + 15 + 1500 + 7500) / 1M = 0.012015
    assertBilled(answer, from, 1000, 1, 5000, 2000, "0.012015");
  }

  @Test
  void anAnthropicStreamCutAfterItsMessageDeltaIsBilledWithTheOutputTokensItReported() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    // message_start, block start, ping, two deltas, block stop, message_delta (output 200): cut before message_stop
    fake.enqueue(Reply.text("alpha beta").usage(1000, 200, 5000, 2000).cutAfterEvents(7));

    HttpResponse<String> answer = anthropic("claude-test");

    assertFalse(answer.body().contains("event: message_stop"), answer.body());
    // (1000 x 3.00 + 200 x 15.00 + 5000 x 0.30 + 2000 x 3.75) / 1M = 0.015
    assertBilled(answer, from, 1000, 200, 5000, 2000, "0.015");
  }

  @Test
  void anAnthropicStreamEndedByAnUpstreamErrorEventIsBilledWithWhatItReported() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    fake.enqueue(Reply.text("alpha beta gamma delta").usage(1000, 200, 5000, 2000).midStreamError(4, "overloaded_error", "Overloaded"));

    HttpResponse<String> answer = anthropic("claude-test");

    assertTrue(answer.body().contains("overloaded_error"), answer.body());
    assertBilled(answer, from, 1000, 1, 5000, 2000, "0.012015");
  }

  @Test
  void anUpstreamErrorEventMidStreamCountsAsAFailureOfTheEndpoint() throws Exception {
    long failuresBefore = antHealth().getLong("failures");
    fake.enqueue(Reply.text("alpha beta gamma delta").usage(1000, 200, 5000, 2000).midStreamError(4, "overloaded_error", "Overloaded"));

    HttpResponse<String> answer = anthropic("claude-test");

    assertTrue(answer.body().contains("overloaded_error"), answer.body());
    JsonObject health = antHealth();
    assertEquals(failuresBefore + 1, health.getLong("failures"), health.encode());
    assertEquals("stream_error", health.getString("last_error"), health.encode());
    assertEquals(503, health.getInteger("last_status"), health.encode());
  }

  /** What /admin/status shows of the {@code ant-1} endpoint's health (the pool answers it after taking in every outcome). */
  private JsonObject antHealth() throws Exception {
    return AdminStatus.endpoint(AdminStatus.fetch(http, gateway.baseUrl(), ADMIN_KEY), "ant", "ant-1").getJsonObject("health");
  }

  @Test
  void aGeminiStreamCutMidwayIsBilledWithItsLastUsageMetadata() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    // four chunks, each with the cumulative usageMetadata: prompt 1000, candidates 10, 20, 30, 40; cut after the second
    gemini.enqueue(Reply.text("alpha beta gamma delta").usage(1000, 40, 0, 0).cutAfterEvents(2));

    HttpResponse<String> answer = openAi("gem-test");

    assertFalse(answer.body().contains("[DONE]"), answer.body());
    // gem-test: (1000 x 0.30 + 20 x 2.50) / 1M = (300 + 50) / 1M = 0.00035
    assertBilled(answer, from, 1000, 20, 0, 0, "0.00035");
  }

  @Test
  void anOpenAiStreamCutBeforeItsUsageChunkHasNoUsageToBill() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    fake.enqueue(Reply.text("alpha beta gamma delta").usage(1000, 200, 0, 0).cutAfterEvents(3));

    HttpResponse<String> answer = openAi("gpt-test");

    assertFalse(answer.body().contains("[DONE]"), answer.body());
    assertBilled(answer, from, 0, 0, 0, 0, "0");
  }

  /** The ledger's row and the stored (failed) response both carry this usage and cost. */
  private void assertBilled(HttpResponse<String> answer, Instant from, long input, long output, long cacheRead, long cacheWrite,
      String cost) throws Exception {
    assertEquals(200, answer.statusCode(), answer.body());
    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    JsonObject stored = storedResponse(id);
    assertEquals("failed", stored.getString("status"), stored.encode());
    JsonObject usage = stored.getJsonObject("usage");
    assertEquals(input, orZero(usage.getLong("input")), stored.encode());
    assertEquals(output, orZero(usage.getLong("output")), stored.encode());
    assertEquals(cacheRead, orZero(usage.getLong("cache_read")), stored.encode());
    assertEquals(cacheWrite, orZero(usage.getLong("cache_write")), stored.encode());
    assertEquals(0, new BigDecimal(cost).compareTo(new BigDecimal(stored.getString("cost_usd"))), stored.encode());
    JsonArray rows = rows(from);
    assertEquals(1, rows.size(), rows.encodePrettily());
    JsonObject row = rows.getJsonObject(0);
    assertEquals(1, row.getInteger("requests"), row.encode());
    assertEquals(input, row.getLong("input"), row.encode());
    assertEquals(output, row.getLong("output"), row.encode());
    assertEquals(cacheRead, row.getLong("cache_read"), row.encode());
    assertEquals(cacheWrite, row.getLong("cache_write"), row.encode());
    assertEquals(0, new BigDecimal(cost).compareTo(new BigDecimal(row.getValue("cost_usd").toString())), row.encode());
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private HttpResponse<String> anthropic(String model) throws Exception {
    return post("/v1/messages", new JsonObject().put("model", model).put("max_tokens", 100).put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));
  }

  private HttpResponse<String> openAi(String model) throws Exception {
    return post("/v1/chat/completions", new JsonObject().put("model", model).put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonArray rows(Instant from) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/usage?from="
            + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8) + "&group_by=provider,model"))
        .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("rows");
  }

  private JsonObject storedResponse(String id) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/responses/" + id))
        .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }
}
