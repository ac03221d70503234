package dev.ensemble.cache;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response cache through the HTTP and WebSocket contract of a real node: models {@code gpt-test} and
 * {@code claude-test} cache exactly per client; route {@code faq} caches semantically with the built-in embedder and
 * audits every hit; route {@code shared_tools} shares its entries and stores tool calls.
 */
class ResponseCacheIT {

  private static final String ADMIN_KEY = "admin-cache-test";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, ResponseCacheIT::config);

  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static String alice;
  private static String bob;
  private static Vertx clientVertx;

  static String config(FakeUpstreamExtension f) {
    return GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, "require_client_keys: true")
        .replace("providers: [ { provider: oai, model: gpt-4o-mini } ]",
            "providers: [ { provider: oai, model: gpt-4o-mini } ]\n    response_cache: { type: exact, ttl_seconds: 600 }")
        .replace("providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]",
            "providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]\n    response_cache: { type: exact }")
        .replace("  summarize: { model: claude-test }", "  summarize: { model: claude-test }\n"
            + "  faq:\n"
            + "    model: gpt-test\n"
            + "    cache: { type: semantic, threshold: 0.85, embedding_model: local/all-minilm-l6-v2, audit_sample_rate: 1 }\n"
            + "  shared_tools:\n"
            + "    model: gpt-test\n"
            + "    cache: { type: exact, shared: true, tool_calls: true }");
  }

  @BeforeAll
  static void clients() {
    alice = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "alice")).getString("key");
    bob = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "bob")).getString("key");
    clientVertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static String unique(String text) {
    return text + " [" + UUID.randomUUID() + "]";
  }

  private static JsonObject openAi(String model, String prompt, boolean stream) {
    JsonObject body = new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
    if (stream) {
      body.put("stream_options", new JsonObject().put("include_usage", true));
    }
    return body;
  }

  private static JsonObject anthropic(String prompt, boolean stream) {
    return new JsonObject().put("model", "claude-test").put("max_tokens", 256).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
  }

  private static HttpResponse<String> post(String path, String key, JsonObject body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").header("Authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String status(HttpResponse<?> r) {
    return r.headers().firstValue("x-cache-status").orElse("(none)");
  }

  private static String openAiText(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  @Test
  void identicalRequestIsAnsweredFromTheCacheAfterOneUpstreamCall() throws Exception {
    fake.enqueue(Reply.text("Paris is the capital of France.").usage(12, 7, 0, 0));
    JsonObject body = openAi("gpt-test", unique("What is the capital of France?"), false);

    HttpResponse<String> first = post("/v1/chat/completions", alice, body);
    HttpResponse<String> second = post("/v1/chat/completions", alice, body);

    assertEquals(200, first.statusCode(), first.body());
    assertEquals("MISS", status(first));
    assertEquals(200, second.statusCode(), second.body());
    assertEquals("HIT", status(second));
    assertEquals(1, fake.requestCount());
    assertEquals(openAiText(first), openAiText(second));
    JsonObject usage = new JsonObject(second.body()).getJsonObject("usage");
    assertEquals(12, usage.getInteger("prompt_tokens"));
    assertEquals(7, usage.getInteger("completion_tokens"));
    assertEquals("cache", second.headers().firstValue("x-ensemble-provider").orElseThrow());
    assertTrue(Long.parseLong(second.headers().firstValue("age").orElseThrow()) >= 0);
    String id = second.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertTrue(new JsonObject(second.body()).getString("id").endsWith(id), second.body());
    await(until(() -> {
      try {
        return new JsonObject(get("/api/v1/responses/" + id, alice).body()).getString("status", "").equals("completed");
      } catch (Exception e) {
        return false;
      }
    }));
    JsonObject stored = new JsonObject(get("/api/v1/responses/" + id, alice).body());
    assertEquals("cache", stored.getString("provider"));
    assertEquals("Paris is the capital of France.", stored.getString("text"));
  }

  @Test
  void aStreamedAskReplaysACachedAnswerAsTheSameOpenAiSseSequenceWithUsage() throws Exception {
    fake.enqueue(Reply.text("one two three").usage(10, 3, 0, 0));
    String prompt = unique("Count to three");
    HttpResponse<String> live = post("/v1/chat/completions", alice, openAi("gpt-test", prompt, true));
    HttpResponse<String> replay = post("/v1/chat/completions", alice, openAi("gpt-test", prompt, true));

    assertEquals("MISS", status(live));
    assertEquals("HIT", status(replay));
    assertEquals(1, fake.requestCount());
    assertEquals("text/event-stream", replay.headers().firstValue("content-type").orElseThrow());
    assertEquals(openAiStreamText(live.body()), openAiStreamText(replay.body()));
    assertEquals("one two three", openAiStreamText(replay.body()));
    assertTrue(replay.body().trim().endsWith("data: [DONE]"), replay.body());
    JsonObject usage = openAiChunks(replay.body()).stream().filter(c -> c.getValue("usage") instanceof JsonObject)
        .map(c -> c.getJsonObject("usage")).reduce((a, b) -> b).orElseThrow();
    assertEquals(10, usage.getInteger("prompt_tokens"));
    assertEquals(3, usage.getInteger("completion_tokens"));
    assertEquals(shape(openAiChunks(live.body())), shape(openAiChunks(replay.body())), "chunk by chunk, as live: " + replay.body());
    assertEquals(3, openAiChunks(replay.body()).stream().filter(c -> shapeOf(c).equals("content")).count(), "a delta per word");

    HttpResponse<String> plain = post("/v1/chat/completions", alice, openAi("gpt-test", prompt, false));
    assertEquals("HIT", status(plain), "stream or not does not change the key");
    assertEquals("one two three", openAiText(plain));
  }

  @Test
  void anAnthropicStreamIsReplayedAsMessageEventsWithUsage() throws Exception {
    fake.enqueue(Reply.text("Bonjour tout le monde").usage(20, 5, 0, 0));
    String prompt = unique("Say hello in French");
    HttpResponse<String> live = post("/v1/messages", alice, anthropic(prompt, true));
    HttpResponse<String> replay = post("/v1/messages", alice, anthropic(prompt, true));

    assertEquals("MISS", status(live));
    assertEquals("HIT", status(replay));
    assertEquals(1, fake.requestCount());
    assertEquals(sseEventNames(live.body()), sseEventNames(replay.body()), "event by event, as live: " + replay.body());
    assertEquals(List.of("message_start", "content_block_start", "content_block_delta", "content_block_delta", "content_block_delta",
        "content_block_delta", "content_block_stop", "message_delta", "message_stop"), sseEventNames(replay.body()));
    assertEquals("Bonjour tout le monde", sseDataOf(replay.body(), "content_block_delta").stream()
        .map(d -> d.getJsonObject("delta").getString("text")).collect(Collectors.joining()));
    JsonObject delta = sseData(replay.body(), "message_delta");
    assertEquals(5, delta.getJsonObject("usage").getInteger("output_tokens"));
    JsonObject start = sseData(replay.body(), "message_start");
    assertEquals(20, start.getJsonObject("message").getJsonObject("usage").getInteger("input_tokens"));
  }

  @Test
  void laterDialectsReplayAsTheyStreamLiveTheResponsesApiAndGemini() throws Exception {
    fake.enqueue(Reply.text("Answer in the Responses format").usage(9, 5, 0, 0));
    JsonObject body = new JsonObject().put("model", "gpt-test").put("input", unique("Which format is this?"));

    HttpResponse<String> live = post("/v1/responses", alice, body.copy().put("stream", true));
    HttpResponse<String> replay = post("/v1/responses", alice, body.copy().put("stream", true));
    HttpResponse<String> whole = post("/v1/responses", alice, body);

    assertEquals(200, live.statusCode(), live.body());
    assertEquals("MISS", status(live));
    assertEquals("HIT", status(replay), replay.body());
    assertEquals("HIT", status(whole), whole.body());
    assertEquals(1, fake.requestCount());
    assertEquals("text/event-stream", replay.headers().firstValue("content-type").orElseThrow());
    assertEquals(sseEventNames(live.body()), sseEventNames(replay.body()), "event by event, as live: " + replay.body());
    assertEquals(5, sseEventNames(replay.body()).stream().filter("response.output_text.delta"::equals).count(), "a delta per word");
    JsonObject completed = sseData(replay.body(), "response.completed").getJsonObject("response");
    assertEquals(9, completed.getJsonObject("usage").getInteger("input_tokens"));
    assertEquals(5, completed.getJsonObject("usage").getInteger("output_tokens"));
    assertTrue(replay.body().contains("Answer in the Responses format") || completed.encode().contains("Answer in the Responses format"));
    assertEquals("completed", new JsonObject(whole.body()).getString("status"));

    fake.enqueue(Reply.text("Gemini hears it word by word").usage(6, 6, 0, 0));
    JsonObject gemini = new JsonObject().put("contents", new JsonArray().add(new JsonObject().put("role", "user")
        .put("parts", new JsonArray().add(new JsonObject().put("text", unique("Which dialect?"))))));
    HttpResponse<String> geminiLive = post("/v1beta/models/gpt-test:streamGenerateContent?alt=sse", alice, gemini);
    HttpResponse<String> geminiReplay = post("/v1beta/models/gpt-test:streamGenerateContent?alt=sse", alice, gemini);
    assertEquals("MISS", status(geminiLive), geminiLive.body());
    assertEquals("HIT", status(geminiReplay), geminiReplay.body());
    assertEquals(2, fake.requestCount());
    assertEquals(geminiShape(geminiLive.body()), geminiShape(geminiReplay.body()), "chunk by chunk, as live: " + geminiReplay.body());
    assertTrue(geminiShape(geminiReplay.body()).stream().filter("text"::equals).count() >= 5, geminiReplay.body());
    JsonObject last = openAiChunks(geminiReplay.body()).get(openAiChunks(geminiReplay.body()).size() - 1);
    assertEquals(6, last.getJsonObject("usageMetadata").getInteger("candidatesTokenCount"), last.encode());
  }

  @Test
  void oneClientNeverReceivesAnotherClientsCachedAnswer() throws Exception {
    fake.enqueue(Reply.text("for alice"), Reply.text("for bob"));
    JsonObject body = openAi("gpt-test", unique("Who am I?"), false);

    HttpResponse<String> a = post("/v1/chat/completions", alice, body);
    HttpResponse<String> b = post("/v1/chat/completions", bob, body);

    assertEquals("MISS", status(a));
    assertEquals("MISS", status(b));
    assertEquals("for bob", openAiText(b));
    assertEquals(2, fake.requestCount());
  }

  @Test
  void aDifferentSystemPromptOrToolListIsAnotherEntry() throws Exception {
    fake.enqueue(Reply.text("plain"), Reply.text("pirate"), Reply.text("with tools"));
    String prompt = unique("Tell me about ships");
    JsonObject plain = openAi("gpt-test", prompt, false);
    JsonObject system = plain.copy();
    system.getJsonArray("messages").add(0, new JsonObject().put("role", "system").put("content", "Talk like a pirate"));
    JsonObject tools = plain.copy().put("tools", new JsonArray().add(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "lookup").put("parameters", new JsonObject().put("type", "object")))));

    assertEquals("MISS", status(post("/v1/chat/completions", alice, plain)));
    HttpResponse<String> pirate = post("/v1/chat/completions", alice, system);
    HttpResponse<String> withTools = post("/v1/chat/completions", alice, tools);

    assertEquals("MISS", status(pirate));
    assertEquals("pirate", openAiText(pirate));
    assertEquals("MISS", status(withTools));
    assertEquals(3, fake.requestCount());
    assertEquals("HIT", status(post("/v1/chat/completions", alice, system)));
  }

  @Test
  void userFieldAndRequestIdsDoNotChangeTheKeyButSamplingParametersDo() throws Exception {
    fake.enqueue(Reply.text("first"), Reply.text("capped"));
    JsonObject body = openAi("gpt-test", unique("Describe the sea"), false);
    assertEquals("MISS", status(post("/v1/chat/completions", alice, body)));

    assertEquals("HIT", status(post("/v1/chat/completions", alice, body.copy().put("user", "end-user-42"), "X-Request-Id", "abc")));
    assertEquals("MISS", status(post("/v1/chat/completions", alice, body.copy().put("max_tokens", 5))));
    assertEquals(2, fake.requestCount());
  }

  @Test
  void noCacheAsksUpstreamAndRefreshesTheEntryNoStoreNeitherReadsNorWrites() throws Exception {
    fake.enqueue(Reply.text("old"), Reply.text("new"), Reply.text("unstored"), Reply.text("stored later"));
    JsonObject body = openAi("gpt-test", unique("What time is it?"), false);
    assertEquals("MISS", status(post("/v1/chat/completions", alice, body)));

    HttpResponse<String> refreshed = post("/v1/chat/completions", alice, body, "Cache-Control", "no-cache");
    assertEquals("BYPASS", status(refreshed));
    assertEquals("new", openAiText(refreshed));
    HttpResponse<String> after = post("/v1/chat/completions", alice, body);
    assertEquals("HIT", status(after));
    assertEquals("new", openAiText(after));

    JsonObject other = openAi("gpt-test", unique("Do not keep this"), false);
    HttpResponse<String> unstored = post("/v1/chat/completions", alice, other, "Cache-Control", "no-store");
    assertEquals("BYPASS", status(unstored));
    HttpResponse<String> next = post("/v1/chat/completions", alice, other);
    assertEquals("MISS", status(next));
    assertEquals("stored later", openAiText(next));
    assertEquals("BYPASS", status(post("/v1/chat/completions", alice, body, "Cache-Control", "no-store")));
    assertEquals(5, fake.requestCount());
  }

  @Test
  void sampledRequestsAreNotCachedByDefault() throws Exception {
    fake.enqueue(Reply.text("a"), Reply.text("b"));
    JsonObject body = openAi("gpt-test", unique("Write a haiku"), false).put("temperature", 0.9);

    assertEquals("BYPASS", status(post("/v1/chat/completions", alice, body)));
    HttpResponse<String> again = post("/v1/chat/completions", alice, body);
    assertEquals("BYPASS", status(again));
    assertEquals("b", openAiText(again));
  }

  @Test
  void toolCallAnswersAreStoredOnlyWhereTheRouteAllows() throws Exception {
    fake.enqueue(Reply.toolCall("lookup", "{\"q\":\"x\"}"), Reply.toolCall("lookup", "{\"q\":\"y\"}"), Reply.toolCall("lookup", "{\"q\":\"z\"}"));
    JsonObject body = openAi("gpt-test", unique("Look it up"), false).put("tools", new JsonArray().add(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", "lookup").put("parameters", new JsonObject().put("type", "object")))));

    assertEquals("MISS", status(post("/v1/chat/completions", alice, body)));
    assertEquals("MISS", status(post("/v1/chat/completions", alice, body)), "the model's policy stores no tool calls");

    assertEquals("MISS", status(post("/v1/workflows/shared_tools", alice, body)));
    HttpResponse<String> hit = post("/v1/workflows/shared_tools", bob, body);
    assertEquals("HIT", status(hit), "the route shares entries and stores tool calls");
    assertEquals("lookup", new JsonObject(hit.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("name"));
    assertEquals(3, fake.requestCount());
  }

  @Test
  void aParaphraseIsASemanticHitWithTheLocalEmbedderAndAuditedInTheBackground() throws Exception {
    fake.enqueue(Reply.text("Use the reset link on the sign-in page."), Reply.text("Click the reset link on the sign-in page."));
    HttpResponse<String> first = post("/v1/workflows/faq", alice, openAi("ignored", "How do I reset my password?", false));
    HttpResponse<String> paraphrase = post("/v1/workflows/faq", alice, openAi("ignored", "How can I reset my password?", false));

    assertEquals("MISS", status(first), first.body());
    assertEquals("SEMANTIC_HIT", status(paraphrase), paraphrase.body());
    double similarity = Double.parseDouble(paraphrase.headers().firstValue("x-cache-similarity").orElseThrow());
    assertTrue(similarity >= 0.85 && similarity < 1.0, "similarity " + similarity);
    assertEquals(openAiText(first), openAiText(paraphrase));

    // audit_sample_rate 1: the hit is asked upstream again in the background and recorded
    await(until(() -> auditCount() >= 1));
    assertEquals(2, fake.requestCount(), "one client call upstream, one audit");
    JsonObject admin = new JsonObject(get("/admin/cache", ADMIN_KEY).body());
    JsonArray thresholds = admin.getJsonArray("thresholds");
    assertEquals(9, thresholds.size());
    assertEquals("0.90", thresholds.getJsonObject(0).getString("threshold"));
    assertTrue(thresholds.getJsonObject(0).getLong("would_hit") >= 1, thresholds.encode());
    assertTrue(thresholds.getJsonObject(0).getLong("audits") >= 1, thresholds.encode());
    JsonObject audit = admin.getJsonArray("audits").getJsonObject(0);
    assertEquals("SEMANTIC_HIT", audit.getString("status"));
    assertEquals("How can I reset my password?", audit.getString("prompt"));
    assertEquals("Click the reset link on the sign-in page.", audit.getString("fresh_answer"));
    assertTrue(audit.getDouble("answer_similarity") > 0.5, audit.encode());
    Path log = Path.of(gateway.sqlitePath()).getParent().resolve("cache-audits.jsonl");
    assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.contains("How can I reset my password?")));
    await(until(() -> ledgerRows("AUDIT") >= 1));
  }

  @Test
  void numbersNegationsAndEntitiesThatDifferRefuseASemanticHit() throws Exception {
    fake.enqueue(Reply.text("9.2 EUR"), Reply.text("10.9 USD"), Reply.text("yes"), Reply.text("no"));
    assertEquals("MISS", status(post("/v1/workflows/faq", alice, openAi("x", "Convert 10 USD to EUR please", false))));
    assertEquals("MISS", status(post("/v1/workflows/faq", alice, openAi("x", "Convert 10 EUR to USD please", false))));
    assertEquals("MISS", status(post("/v1/workflows/faq", alice, openAi("x", "Is Lyon the capital of France?", false))));
    assertEquals("MISS", status(post("/v1/workflows/faq", alice, openAi("x", "Is Lyon not the capital of France?", false))));
    assertEquals(4, fake.requestCount());
  }

  @Test
  void aParaphraseAfterAnotherConversationIsNoSemanticHitButAfterTheSameOneItIs() throws Exception {
    fake.enqueue(Reply.text("Open the settings of the Android app."), Reply.text("Open the settings of the iOS app."));
    JsonObject android = conversation("I use the Android app.", "Noted: Android.", "Where do I turn notifications off?");
    JsonObject ios = conversation("I use the iOS app.", "Noted: iOS.", "Where can I turn notifications off?");
    JsonObject androidAgain = conversation("I use the Android app.", "Noted: Android.", "Where can I turn notifications off?");

    assertEquals("MISS", status(post("/v1/workflows/faq", alice, android)));
    HttpResponse<String> other = post("/v1/workflows/faq", alice, ios);
    assertEquals("MISS", status(other), "the same question after other turns is another context");
    assertEquals("Open the settings of the iOS app.", openAiText(other));
    HttpResponse<String> same = post("/v1/workflows/faq", alice, androidAgain);
    assertEquals("SEMANTIC_HIT", status(same), same.body());
    assertEquals("Open the settings of the Android app.", openAiText(same));
  }

  private static JsonObject conversation(String user, String assistant, String question) {
    return new JsonObject().put("model", "x").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", user))
        .add(new JsonObject().put("role", "assistant").put("content", assistant))
        .add(new JsonObject().put("role", "user").put("content", question)));
  }

  @Test
  void aHitIsALedgerRowWithNoUpstreamCostAndTheUsdItSaved() throws Exception {
    fake.enqueue(Reply.text("priced").usage(1_000_000, 1_000_000, 0, 0));
    JsonObject body = openAi("gpt-test", unique("Price me"), false);
    post("/v1/chat/completions", alice, body);
    String hitId = post("/v1/chat/completions", alice, body).headers().firstValue("x-ensemble-request-id").orElseThrow();

    await(until(() -> ledgerRow(hitId) != null));
    List<Object> row = ledgerRow(hitId);
    assertEquals("cache", row.get(0));
    assertEquals(0L, ((Number) row.get(1)).longValue());
    assertEquals("HIT", row.get(2));
    // gpt-test: 0.15 + 0.60 USD per 1M tokens
    assertEquals(7_500_000_000L, ((Number) row.get(3)).longValue());
    HttpResponse<String> metrics = get("/metrics", ADMIN_KEY);
    assertTrue(metrics.body().contains("cache_hit_ratio{provider=\"gateway\",route=\"gpt-test\",type=\"exact\"}"), "metrics");
    assertTrue(metrics.body().contains("ensemble_response_cache_saved_usd_total{route=\"gpt-test\"}"), "metrics");
  }

  @Test
  void aWebSocketRequestIsReplayedAsUnifiedEventsMarkedAsAHit() throws Exception {
    fake.enqueue(Reply.text("over the socket").usage(4, 3, 0, 0));
    JsonObject body = openAi("gpt-test", unique("Socket question"), false);
    WebSocket ws = clientVertx.createWebSocketClient(new WebSocketClientOptions()).connect(new WebSocketConnectOptions()
        .setHost("127.0.0.1").setPort(URI.create(gateway.baseUrl()).getPort()).setURI("/v1/ws")
        .addHeader("Authorization", "Bearer " + alice)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<JsonObject> frames = new ArrayList<>();
    CompletableFuture<Void> firstEnd = new CompletableFuture<>();
    CompletableFuture<Void> secondEnd = new CompletableFuture<>();
    ws.textMessageHandler(text -> {
      JsonObject frame = new JsonObject(text);
      synchronized (frames) {
        frames.add(frame);
      }
      if ("response.end".equals(frame.getString("type"))) {
        ("c1".equals(frame.getString("request")) ? firstEnd : secondEnd).complete(null);
      }
    });
    ws.writeTextMessage(new JsonObject().put("type", "request").put("id", "c1").put("format", "openai").put("body", body).encode());
    firstEnd.get(10, TimeUnit.SECONDS);
    ws.writeTextMessage(new JsonObject().put("type", "request").put("id", "c2").put("format", "openai").put("body", body).encode());
    secondEnd.get(10, TimeUnit.SECONDS);
    ws.close();

    List<JsonObject> first;
    List<JsonObject> second;
    synchronized (frames) {
      first = frames.stream().filter(f -> "c1".equals(f.getString("request"))).toList();
      second = frames.stream().filter(f -> "c2".equals(f.getString("request"))).toList();
    }
    assertEquals(first.stream().map(f -> f.getString("type")).toList(), second.stream().map(f -> f.getString("type")).toList(),
        "event by event, as live: " + second);
    assertEquals(3, second.stream().filter(e -> "block.delta".equals(e.getString("type"))).count(), "a delta per word");
    assertEquals("HIT", second.get(0).getJsonObject("cache").getString("status"));
    assertEquals("MISS", frames.get(0).getJsonObject("cache").getString("status"));
    assertEquals("over the socket", second.stream().filter(e -> "block.delta".equals(e.getString("type")))
        .map(e -> e.getString("text")).collect(Collectors.joining()));
    JsonObject end = second.get(second.size() - 1);
    assertEquals(3, end.getJsonObject("usage").getInteger("output"));
    assertEquals(1, fake.requestCount());
  }

  private static int auditCount() {
    try {
      return new JsonObject(get("/admin/cache", ADMIN_KEY).body()).getJsonArray("audits").size();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static int ledgerRows(String cacheStatus) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM usage_ledger WHERE cache_status = '" + cacheStatus + "'")) {
      return rs.next() ? rs.getInt(1) : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  private static List<Object> ledgerRow(String requestId) {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT provider, cost_e10_usd, cache_status, saved_e10_usd FROM usage_ledger"
             + " WHERE request_id = '" + requestId + "'")) {
      return rs.next() ? List.of(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4)) : null;
    } catch (Exception e) {
      return null;
    }
  }

  /** Completes when {@code condition} (checked on a worker: it may block) holds, checking again on one-shot timers. */
  private static Future<Void> until(BooleanSupplier condition) {
    Vertx vertx = gateway.vertx();
    Promise<Void> done = Promise.promise();
    check(vertx, condition, done);
    return done.future();
  }

  private static void check(Vertx vertx, BooleanSupplier condition, Promise<Void> done) {
    vertx.executeBlocking(condition::getAsBoolean).onComplete(ok -> {
      if (ok.succeeded() && ok.result()) {
        done.tryComplete();
      } else {
        vertx.setTimer(25, t -> check(vertx, condition, done));
      }
    });
  }

  private static void await(Future<?> future) throws Exception {
    future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static List<JsonObject> openAiChunks(String sse) {
    return sse.lines().filter(l -> l.startsWith("data: {")).map(l -> new JsonObject(l.substring(6))).toList();
  }

  private static String openAiStreamText(String sse) {
    return openAiChunks(sse).stream().flatMap(c -> c.getJsonArray("choices", new JsonArray()).stream())
        .map(c -> ((JsonObject) c).getJsonObject("delta", new JsonObject()).getString("content"))
        .filter(java.util.Objects::nonNull).collect(Collectors.joining());
  }

  /** The chunk kinds in order, ignoring ids and text: what a client's parser sees. */
  private static List<String> shape(List<JsonObject> chunks) {
    return chunks.stream().map(ResponseCacheIT::shapeOf).toList();
  }

  private static String shapeOf(JsonObject chunk) {
    JsonArray choices = chunk.getJsonArray("choices", new JsonArray());
    if (choices.isEmpty()) {
      return "usage";
    }
    JsonObject choice = choices.getJsonObject(0);
    return choice.getString("finish_reason") != null ? "finish" : choice.getJsonObject("delta").fieldNames().stream().sorted()
        .collect(Collectors.joining(","));
  }

  /** Gemini's SSE chunks by what they carry: text, the finish reason with usage, usage alone. */
  private static List<String> geminiShape(String sse) {
    return openAiChunks(sse).stream().map(c -> {
      JsonArray candidates = c.getJsonArray("candidates", new JsonArray());
      JsonObject candidate = candidates.isEmpty() ? new JsonObject() : candidates.getJsonObject(0);
      String text = candidate.getJsonObject("content", new JsonObject()).getJsonArray("parts", new JsonArray()).stream()
          .map(p -> ((JsonObject) p).getString("text", "")).collect(Collectors.joining());
      return (text.isEmpty() ? "" : "text") + (candidate.containsKey("finishReason") ? "+finish" : "")
          + (c.containsKey("usageMetadata") ? "+usage" : "");
    }).toList();
  }

  private static List<String> sseEventNames(String sse) {
    return sse.lines().filter(l -> l.startsWith("event: ")).map(l -> l.substring(7).trim()).filter(n -> !n.equals("ping")).toList();
  }

  private static List<JsonObject> sseDataOf(String sse, String event) {
    List<String> lines = sse.lines().toList();
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < lines.size() - 1; i++) {
      if (lines.get(i).equals("event: " + event)) {
        out.add(new JsonObject(lines.get(i + 1).substring(6)));
      }
    }
    return out;
  }

  private static JsonObject sseData(String sse, String event) {
    List<String> lines = sse.lines().toList();
    for (int i = 0; i < lines.size() - 1; i++) {
      if (lines.get(i).equals("event: " + event)) {
        return new JsonObject(lines.get(i + 1).substring(6));
      }
    }
    throw new AssertionError("no " + event + " in " + sse);
  }
}
