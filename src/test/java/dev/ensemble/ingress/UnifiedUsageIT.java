package dev.ensemble.ingress;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * The usage a client reads of an answer ({@code response.end} on the WebSocket and in
 * {@code /api/v1/responses/{id}/events}, the {@code usage} of {@code GET /api/v1/responses/{id}}) always has its four
 * counts as numbers, so that a client can sum them to the prompt's total: zero where the provider has no such count
 * (OpenAI reports no cache writes), the counts of the ledger's row where nothing was reported.
 */
class UnifiedUsageIT {

  private static final String ADMIN_KEY = "admin-usage-numbers-0123";
  private static final List<String> COUNTS = List.of("input", "output", "cache_read", "cache_write");

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f ->
      GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, ""));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void anOpenAiAnswersUsageHasACacheWriteOfZeroAndSumsToItsPromptTokens() throws Exception {
    fake.enqueue(Reply.text("alpha beta").usage(900, 20, 100, 0));

    HttpResponse<String> answer = post("/v1/chat/completions", chat(true).put("stream_options", new JsonObject().put("include_usage", true)));

    assertEquals(200, answer.statusCode(), answer.body());
    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    JsonObject end = lastEvent(id);
    assertEquals("response.end", end.getString("type"), end.encode());
    JsonObject usage = numbers(end.getJsonObject("usage"));
    assertEquals(0L, usage.getLong("cache_write"), end.encode());
    assertEquals(1000L, usage.getLong("input") + usage.getLong("cache_read") + usage.getLong("cache_write"), end.encode());
    assertEquals(usage, numbers(stored(id).getJsonObject("usage")));
  }

  @Test
  void aStreamCutBeforeAnyUsageShowsTheZerosItsLedgerRowRecords() throws Exception {
    Instant from = Instant.now();
    fake.enqueue(Reply.text("alpha beta gamma delta").usage(1000, 200, 0, 0).cutAfterEvents(3));

    HttpResponse<String> answer = post("/v1/chat/completions", chat(true));

    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    JsonObject record = stored(id);
    assertEquals("failed", record.getString("status"), record.encode());
    JsonObject usage = numbers(record.getJsonObject("usage"));
    JsonObject row = ledgerRow(from);
    for (String count : COUNTS) {
      assertEquals(row.getLong(count), usage.getLong(count), count + ": " + record.encode() + " vs " + row.encode());
    }
  }

  @Test
  void theWebSocketsResponseEndCarriesTheFourCountsAsNumbers() throws Exception {
    fake.enqueue(Reply.text("alpha beta").usage(300, 7, 0, 0));
    CompletableFuture<JsonObject> end = new CompletableFuture<>();
    WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + gateway.port() + "/v1/ws"), new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          JsonObject frame = new JsonObject(text.toString());
          text.setLength(0);
          if ("response.end".equals(frame.getString("type")) || "error".equals(frame.getString("type"))) {
            end.complete(frame);
          }
        }
        ws.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    try {
      socket.sendText(new JsonObject().put("type", "request").put("id", "c1").put("format", "openai").put("body", chat(true)).encode(), true)
          .get(10, TimeUnit.SECONDS);

      JsonObject frame = end.get(10, TimeUnit.SECONDS);

      assertEquals("response.end", frame.getString("type"), frame.encode());
      JsonObject usage = numbers(frame.getJsonObject("usage"));
      assertEquals(300L, usage.getLong("input"), frame.encode());
      assertEquals(0L, usage.getLong("cache_write"), frame.encode());
    } finally {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }
  }

  /** The usage, after checking that each of its four counts is a JSON number. */
  private static JsonObject numbers(JsonObject usage) {
    for (String count : COUNTS) {
      assertInstanceOf(Number.class, usage.getValue(count), count + " of " + usage.encode());
    }
    return new JsonObject().put("input", usage.getLong("input")).put("output", usage.getLong("output"))
        .put("cache_read", usage.getLong("cache_read")).put("cache_write", usage.getLong("cache_write"));
  }

  private static JsonObject chat(boolean stream) {
    return new JsonObject().put("model", "gpt-test").put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello")));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject stored(String id) throws Exception {
    HttpResponse<String> r = get("/api/v1/responses/" + id);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  /** The last unified event of the response, from its {@code /events} SSE. */
  private JsonObject lastEvent(String id) throws Exception {
    HttpResponse<String> r = get("/api/v1/responses/" + id + "/events");
    assertEquals(200, r.statusCode(), r.body());
    String last = null;
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data: ")) {
        last = line.substring(6);
      }
    }
    return new JsonObject(last);
  }

  private JsonObject ledgerRow(Instant from) throws Exception {
    HttpResponse<String> r = get("/admin/usage?from=" + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8) + "&group_by=model");
    assertEquals(200, r.statusCode(), r.body());
    JsonArray rows = new JsonObject(r.body()).getJsonArray("rows");
    assertEquals(1, rows.size(), r.body());
    return rows.getJsonObject(0);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).header("Authorization", "Bearer " + ADMIN_KEY)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
