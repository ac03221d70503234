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
 * A stream that breaks after it began is billed with the usage the upstream had reported up to the break, and an
 * estimate of what it had not reported yet, in the ledger, the stored response (which stays failed) and the client's
 * spend: Anthropic's {@code message_start} input and cache counts as reported, its output estimated from the characters
 * streamed (4 a token, rounded up) until a {@code message_delta} reports it; Gemini's last {@code usageMetadata} as
 * reported; an OpenAI stream, whose usage comes only in its last chunk, with input estimated from the prompt and output
 * from the characters streamed. A count the provider reported is never replaced by an estimate. Each test counts only
 * its own request, by querying the ledger from the instant it started.
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
  void anAnthropicStreamCutBeforeItsMessageDeltaIsBilledWithItsReportedInputAndAnEstimatedOutput() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    // message_start (input 1000, cache write 2000, cache read 5000, output 1), a block's start, a ping, two deltas: cut
    String text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu";
    fake.enqueue(Reply.text(text).usage(1000, 200, 5000, 2000).cutAfterEvents(5));

    HttpResponse<String> answer = anthropic("claude-test");

    assertTrue(answer.body().contains("event: error"), answer.body());
    long chars = anthropicStreamedChars(answer.body());
    assertTrue(chars > 4 && chars < text.length(), answer.body());
    long output = (chars + 3) / 4;
    // claude-test: (1000 x 3.00 + output x 15.00 + 5000 x 0.30 + 2000 x 3.75) / 1M; the cache part is 0.009
    assertBilled(answer, from, 1000, output, 5000, 2000, cost(1000, "3.00", output, "15.00", "0.009"));
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
    long output = (anthropicStreamedChars(answer.body()) + 3) / 4;
    assertTrue(output > 1, answer.body());
    assertBilled(answer, from, 1000, output, 5000, 2000, cost(1000, "3.00", output, "15.00", "0.009"));
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
  void anOpenAiStreamCutBeforeItsUsageChunkIsBilledWithEstimatesAndCountsInTheClientsSpend() throws Exception {
    JsonObject client = new JsonObject(admin("POST", "/admin/clients", new JsonObject().put("name", "cut-" + System.nanoTime())
        .put("monthly_budget_usd", 5)).body());
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    fake.enqueue(Reply.text("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu").usage(1000, 200, 0, 0)
        .cutAfterEvents(3));

    // a 400-character prompt: 100 tokens estimated
    HttpResponse<String> answer = post("/v1/chat/completions", chat("gpt-test", "x".repeat(400)), client.getString("key"));

    assertFalse(answer.body().contains("[DONE]"), answer.body());
    long chars = openAiStreamedChars(answer.body());
    assertTrue(chars > 0, answer.body());
    long output = (chars + 3) / 4;
    // gpt-test: (100 x 0.15 + output x 0.60) / 1M
    String cost = cost(100, "0.15", output, "0.60", "0");
    assertBilled(answer, from, 100, output, 0, 0, cost);
    JsonObject listed = new JsonObject(admin("GET", "/admin/clients", null).body());
    JsonObject spent = listed.getJsonArray("clients").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("id").equals(client.getString("id"))).findFirst().orElseThrow();
    assertEquals(0, new BigDecimal(cost).compareTo(new BigDecimal(spent.getValue("spent_this_month_usd").toString())), spent.encode());
  }

  @Test
  void anOpenAiStreamCutAfterItsUsageChunkIsBilledWithTheReportedUsageNotAnEstimate() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    // the role chunk, four words, the finish chunk and the usage chunk (prompt 1000, completion 3: fewer than the 22
    // characters would estimate): cut before [DONE]
    fake.enqueue(Reply.text("alpha beta gamma delta").usage(1000, 3, 0, 0).cutAfterEvents(7));

    HttpResponse<String> answer = openAi("gpt-test");

    assertFalse(answer.body().contains("[DONE]"), answer.body());
    assertEquals(22, openAiStreamedChars(answer.body()), answer.body());
    JsonArray rows = rows(from);
    assertEquals(1, rows.size(), rows.encodePrettily());
    assertEquals(1000, rows.getJsonObject(0).getLong("input"), rows.encode());
    assertEquals(3, rows.getJsonObject(0).getLong("output"), rows.encode());
    JsonObject usage = storedResponse(answer.headers().firstValue("x-ensemble-request-id").orElseThrow()).getJsonObject("usage");
    assertEquals(3, usage.getLong("output"), usage.encode());
  }

  @Test
  void anAnthropicStreamThatEndsNormallyIsBilledWithTheReportedUsageNotAnEstimate() throws Exception {
    Instant from = Instant.ofEpochMilli(System.currentTimeMillis());
    fake.enqueue(Reply.text("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu").usage(1000, 2, 5000, 2000));

    HttpResponse<String> answer = anthropic("claude-test");

    assertTrue(answer.body().contains("event: message_stop"), answer.body());
    assertTrue((anthropicStreamedChars(answer.body()) + 3) / 4 > 2, answer.body());
    JsonArray rows = rows(from);
    assertEquals(1, rows.size(), rows.encodePrettily());
    assertEquals(1000, rows.getJsonObject(0).getLong("input"), rows.encode());
    assertEquals(2, rows.getJsonObject(0).getLong("output"), rows.encode());
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

  /** (input x inputPrice + output x outputPrice) / 1M + the cache tokens' fixed part, in USD. */
  private static String cost(long input, String inputPrice, long output, String outputPrice, String cacheCost) {
    return new BigDecimal(inputPrice).multiply(BigDecimal.valueOf(input)).add(new BigDecimal(outputPrice).multiply(BigDecimal.valueOf(output)))
        .movePointLeft(6).add(new BigDecimal(cacheCost)).toPlainString();
  }

  /** The characters of the text deltas an Anthropic stream showed the client. */
  private static long anthropicStreamedChars(String sse) {
    long chars = 0;
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: ") && line.contains("\"content_block_delta\"")) {
        JsonObject delta = new JsonObject(line.substring(6)).getJsonObject("delta");
        chars += delta.getString("text", "").length();
      }
    }
    return chars;
  }

  /** The characters of the content deltas an OpenAI stream showed the client. */
  private static long openAiStreamedChars(String sse) {
    long chars = 0;
    for (String line : sse.split("\n")) {
      if (line.startsWith("data: {")) {
        JsonArray choices = new JsonObject(line.substring(6)).getJsonArray("choices");
        if (choices != null && !choices.isEmpty()) {
          JsonObject delta = choices.getJsonObject(0).getJsonObject("delta", new JsonObject());
          chars += delta.getString("content") == null ? 0 : delta.getString("content").length();
        }
      }
    }
    return chars;
  }

  private static JsonObject chat(String model, String prompt) {
    return new JsonObject().put("model", model).put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
  }

  private HttpResponse<String> post(String path, JsonObject body, String clientKey) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").header("Authorization", "Bearer " + clientKey)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String method, String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
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
