package dev.ensemble.testing.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

@ExtendWith(VertxExtension.class)
class FakeUpstreamTest {

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private HttpClient client;

  @BeforeEach
  void createClient(Vertx vertx) {
    client = vertx.createHttpClient();
  }

  // ---- default replies ----

  @Test
  void openAiDefaultReplyEchoesLastUserMessage() throws Exception {
    Answer answer = post(OPENAI, openAiHeaders("k1"), openAiRequest("Hello there"));

    assertEquals(200, answer.status);
    assertTrue(answer.headers.get("content-type").startsWith("application/json"));
    assertTrue(answer.headers.get("x-request-id").startsWith("req_"));
    assertNotNull(answer.headers.get("openai-processing-ms"));
    assertEquals("10000", answer.headers.get("x-ratelimit-limit-requests"));
    assertEquals("9999", answer.headers.get("x-ratelimit-remaining-requests"));
    assertNotNull(answer.headers.get("x-ratelimit-reset-requests"));
    assertNotNull(answer.headers.get("x-ratelimit-limit-tokens"));
    assertNotNull(answer.headers.get("x-ratelimit-remaining-tokens"));
    assertNotNull(answer.headers.get("x-ratelimit-reset-tokens"));
    JsonObject body = answer.json();
    assertTrue(body.getString("id").startsWith("chatcmpl-"));
    assertEquals("chat.completion", body.getString("object"));
    assertEquals("gpt-4o", body.getString("model"));
    assertNotNull(body.getString("system_fingerprint"));
    JsonObject choice = body.getJsonArray("choices").getJsonObject(0);
    assertEquals(0, choice.getInteger("index"));
    assertEquals("stop", choice.getString("finish_reason"));
    assertEquals("assistant", choice.getJsonObject("message").getString("role"));
    assertEquals("echo: Hello there", choice.getJsonObject("message").getString("content"));
    JsonObject usage = body.getJsonObject("usage");
    int prompt = Tokens.atLeastOne(OpenAiRoute.canonicalPrompt(new JsonObject(openAiRequest("Hello there"))).length());
    assertEquals(prompt, usage.getInteger("prompt_tokens"));
    assertEquals(Tokens.atLeastOne("echo: Hello there".length()), usage.getInteger("completion_tokens"));
    assertEquals(prompt + usage.getInteger("completion_tokens"), usage.getInteger("total_tokens"));
    assertEquals(0, usage.getJsonObject("prompt_tokens_details").getInteger("cached_tokens"));
    assertEquals(0, usage.getJsonObject("completion_tokens_details").getInteger("reasoning_tokens"));

    RecordedRequest recorded = fake.lastRequest();
    assertEquals("POST", recorded.method());
    assertEquals("/v1/chat/completions", recorded.path());
    assertEquals("Bearer k1", recorded.header("authorization"));
    assertEquals("gpt-4o", recorded.json().getString("model"));
    assertEquals(1, fake.requestCount());
  }

  @Test
  void anthropicDefaultReplyEchoesLastUserMessage() throws Exception {
    Answer answer = post(ANTHROPIC, anthropicHeaders("k1"), anthropicRequest("Hi Claude"));

    assertEquals(200, answer.status);
    assertTrue(answer.headers.get("request-id").startsWith("req_"));
    assertEquals("10000", answer.headers.get("anthropic-ratelimit-requests-limit"));
    assertEquals("9999", answer.headers.get("anthropic-ratelimit-requests-remaining"));
    assertNotNull(answer.headers.get("anthropic-ratelimit-requests-reset"));
    assertNotNull(answer.headers.get("anthropic-ratelimit-tokens-limit"));
    assertNotNull(answer.headers.get("anthropic-ratelimit-tokens-remaining"));
    assertNotNull(answer.headers.get("anthropic-ratelimit-tokens-reset"));
    JsonObject body = answer.json();
    assertTrue(body.getString("id").startsWith("msg_"));
    assertEquals("message", body.getString("type"));
    assertEquals("assistant", body.getString("role"));
    assertEquals("claude-sonnet-4-5", body.getString("model"));
    assertEquals(new JsonArray().add(new JsonObject().put("type", "text").put("text", "echo: Hi Claude")),
        body.getJsonArray("content"));
    assertEquals("end_turn", body.getString("stop_reason"));
    assertTrue(body.containsKey("stop_sequence"));
    assertNull(body.getValue("stop_sequence"));
    JsonObject usage = body.getJsonObject("usage");
    assertTrue(usage.getInteger("input_tokens") >= 1);
    assertEquals(0, usage.getInteger("cache_creation_input_tokens"));
    assertEquals(0, usage.getInteger("cache_read_input_tokens"));
    assertEquals(Tokens.atLeastOne("echo: Hi Claude".length()), usage.getInteger("output_tokens"));
  }

  @Test
  void scriptsAreConsumedInOrderByAnyRouteThenDefaultResumes() throws Exception {
    fake.enqueue(Reply.text("first"), Reply.text("second"));

    assertEquals("first", post(OPENAI, openAiHeaders("k"), openAiRequest("x")).json()
        .getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals("second", post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("x")).json()
        .getJsonArray("content").getJsonObject(0).getString("text"));
    assertEquals("echo: x", post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("x")).json()
        .getJsonArray("content").getJsonObject(0).getString("text"));
    assertEquals(List.of("/v1/chat/completions", "/v1/messages", "/v1/messages"),
        fake.requests().stream().map(RecordedRequest::path).toList());
  }

  // ---- streaming ----

  @Test
  void openAiStreamsRoleChunkWordChunksFinishUsageAndDone(VertxTestContext ctx) {
    JsonObject request = new JsonObject(openAiRequest("one two three")).put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    stream(OPENAI, openAiHeaders("k"), request.encode()).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      assertTrue(stream.ended);
      assertTrue(stream.headers.get("content-type").startsWith("text/event-stream"));
      List<String> data = stream.dataLines();
      assertEquals("[DONE]", data.get(data.size() - 1));
      List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).toList();
      JsonObject first = chunks.get(0);
      assertEquals("chat.completion.chunk", first.getString("object"));
      assertEquals(new JsonObject().put("role", "assistant").put("content", "").put("refusal", null),
          delta(first));
      StringBuilder text = new StringBuilder();
      int contentChunks = 0;
      for (JsonObject chunk : chunks.subList(1, chunks.size() - 2)) {
        text.append(delta(chunk).getString("content"));
        contentChunks++;
      }
      assertEquals("echo: one two three", text.toString());
      assertEquals(4, contentChunks);
      JsonObject finish = chunks.get(chunks.size() - 2);
      assertEquals(new JsonObject(), delta(finish));
      assertEquals("stop", finish.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
      JsonObject usageChunk = chunks.get(chunks.size() - 1);
      assertEquals(new JsonArray(), usageChunk.getJsonArray("choices"));
      assertTrue(usageChunk.getJsonObject("usage").getInteger("completion_tokens") >= 1);
      for (JsonObject chunk : chunks.subList(0, chunks.size() - 1)) {
        assertTrue(chunk.containsKey("usage"));
        assertNull(chunk.getValue("usage"));
        assertEquals(first.getString("id"), chunk.getString("id"));
      }
      ctx.completeNow();
    })));
  }

  @Test
  void openAiStreamWithoutIncludeUsageHasNoUsageField(VertxTestContext ctx) {
    String request = new JsonObject(openAiRequest("hi")).put("stream", true).encode();
    stream(OPENAI, openAiHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      List<String> data = stream.dataLines();
      assertEquals("[DONE]", data.get(data.size() - 1));
      for (String line : data.subList(0, data.size() - 1)) {
        assertFalse(new JsonObject(line).containsKey("usage"));
      }
      ctx.completeNow();
    })));
  }

  @Test
  void anthropicStreamsTheExactEventSequence(VertxTestContext ctx) {
    String request = new JsonObject(anthropicRequest("a b")).put("stream", true).encode();
    stream(ANTHROPIC, anthropicHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      assertTrue(stream.headers.get("content-type").startsWith("text/event-stream"));
      assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta",
          "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"),
          stream.eventNames());
      List<JsonObject> data = stream.dataLines().stream().map(JsonObject::new).toList();
      JsonObject start = data.get(0).getJsonObject("message");
      assertEquals(new JsonArray(), start.getJsonArray("content"));
      assertNull(start.getValue("stop_reason"));
      JsonObject usage = start.getJsonObject("usage");
      assertEquals(1, usage.getInteger("output_tokens"));
      assertTrue(usage.containsKey("cache_creation_input_tokens"));
      assertTrue(usage.containsKey("cache_read_input_tokens"));
      assertEquals("echo: a b", data.subList(3, 6).stream()
          .map(d -> d.getJsonObject("delta").getString("text")).reduce("", String::concat));
      JsonObject messageDelta = data.get(7);
      assertEquals("end_turn", messageDelta.getJsonObject("delta").getString("stop_reason"));
      assertTrue(messageDelta.getJsonObject("delta").containsKey("stop_sequence"));
      assertEquals(Tokens.atLeastOne("echo: a b".length()),
          messageDelta.getJsonObject("usage").getInteger("output_tokens"));
      ctx.completeNow();
    })));
  }

  @Test
  void anthropicStreamsThinkingTextAndToolBlocks(VertxTestContext ctx) {
    fake.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}").withText("Let me check.")
        .thinking("I should call the tool", "sig-123"));
    String request = new JsonObject(anthropicRequest("weather?")).put("stream", true).encode();
    stream(ANTHROPIC, anthropicHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      List<JsonObject> data = stream.dataLines().stream().map(JsonObject::new).toList();
      List<String> blockStarts = new ArrayList<>();
      List<String> deltaTypes = new ArrayList<>();
      StringBuilder arguments = new StringBuilder();
      for (JsonObject event : data) {
        if (event.getString("type").equals("content_block_start")) {
          blockStarts.add(event.getInteger("index") + ":" + event.getJsonObject("content_block").getString("type"));
        }
        if (event.getString("type").equals("content_block_delta")) {
          String type = event.getJsonObject("delta").getString("type");
          if (deltaTypes.isEmpty() || !deltaTypes.get(deltaTypes.size() - 1).equals(type)) {
            deltaTypes.add(type);
          }
          if (type.equals("input_json_delta")) {
            arguments.append(event.getJsonObject("delta").getString("partial_json"));
          }
        }
      }
      assertEquals(List.of("0:thinking", "1:text", "2:tool_use"), blockStarts);
      assertEquals(List.of("thinking_delta", "signature_delta", "text_delta", "input_json_delta"), deltaTypes);
      assertEquals("{\"city\":\"Paris\"}", arguments.toString());
      JsonObject toolStart = data.stream().filter(e -> e.getString("type").equals("content_block_start"))
          .toList().get(2).getJsonObject("content_block");
      assertTrue(toolStart.getString("id").startsWith("toolu_"));
      assertEquals("get_weather", toolStart.getString("name"));
      assertEquals(new JsonObject(), toolStart.getJsonObject("input"));
      JsonObject messageDelta = data.get(data.size() - 2);
      assertEquals("tool_use", messageDelta.getJsonObject("delta").getString("stop_reason"));
      ctx.completeNow();
    })));
  }

  @Test
  void openAiStreamsParallelToolCallDeltas(VertxTestContext ctx) {
    fake.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}").andToolCall("get_time", "{\"tz\":\"CET\"}"));
    String request = new JsonObject(openAiRequest("weather?")).put("stream", true).encode();
    stream(OPENAI, openAiHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      List<String> data = stream.dataLines();
      List<JsonObject> deltas = data.subList(0, data.size() - 1).stream().map(JsonObject::new)
          .map(FakeUpstreamTest::delta).toList();
      JsonObject first = deltas.get(0);
      assertEquals("assistant", first.getString("role"));
      assertNull(first.getValue("content"));
      JsonObject header = first.getJsonArray("tool_calls").getJsonObject(0);
      assertEquals(0, header.getInteger("index"));
      assertTrue(header.getString("id").startsWith("call_"));
      assertEquals("function", header.getString("type"));
      assertEquals("get_weather", header.getJsonObject("function").getString("name"));
      assertEquals("", header.getJsonObject("function").getString("arguments"));
      StringBuilder[] arguments = {new StringBuilder(), new StringBuilder()};
      List<String> names = new ArrayList<>();
      for (JsonObject delta : deltas) {
        JsonArray calls = delta.getJsonArray("tool_calls");
        if (calls == null) {
          continue;
        }
        JsonObject call = calls.getJsonObject(0);
        if (call.containsKey("id")) {
          names.add(call.getJsonObject("function").getString("name"));
        }
        arguments[call.getInteger("index")].append(call.getJsonObject("function").getString("arguments"));
      }
      assertEquals(List.of("get_weather", "get_time"), names);
      assertEquals("{\"city\":\"Paris\"}", arguments[0].toString());
      assertEquals("{\"tz\":\"CET\"}", arguments[1].toString());
      JsonObject finish = new JsonObject(data.get(data.size() - 2));
      assertEquals("tool_calls", finish.getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
      ctx.completeNow();
    })));
  }

  @Test
  void eventDelaySpacesStreamChunks(VertxTestContext ctx) {
    fake.enqueue(Reply.text("a b c").eventDelayMs(40));
    String request = new JsonObject(anthropicRequest("x")).put("stream", true).encode();
    stream(ANTHROPIC, anthropicHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      assertEquals(9, stream.eventNames().size());
      assertTrue(stream.arrivals.size() >= 5, "chunks arrived separately: " + stream.arrivals.size());
      long spread = stream.arrivals.get(stream.arrivals.size() - 1) - stream.arrivals.get(0);
      assertTrue(spread >= 8 * 40 - 20, "spread " + spread);
      ctx.completeNow();
    })));
  }

  // ---- scripted tool calls, errors, faults ----

  @Test
  void openAiScriptedToolCallIsACompleteAssistantMessage() throws Exception {
    fake.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}"));
    JsonObject choice = post(OPENAI, openAiHeaders("k"), openAiRequest("weather?")).json()
        .getJsonArray("choices").getJsonObject(0);

    assertEquals("tool_calls", choice.getString("finish_reason"));
    JsonObject message = choice.getJsonObject("message");
    assertNull(message.getValue("content"));
    JsonObject call = message.getJsonArray("tool_calls").getJsonObject(0);
    assertTrue(call.getString("id").startsWith("call_"));
    assertEquals("function", call.getString("type"));
    assertEquals(new JsonObject().put("name", "get_weather").put("arguments", "{\"city\":\"Paris\"}"),
        call.getJsonObject("function"));
  }

  @Test
  void anthropicScriptedToolCallCarriesParsedInputAndToolUseStop() throws Exception {
    fake.enqueue(Reply.toolCall("toolu_fixed", "get_weather", "{\"city\":\"Paris\"}").withText("Checking."));
    JsonObject body = post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("weather?")).json();

    assertEquals("tool_use", body.getString("stop_reason"));
    assertEquals(new JsonObject().put("type", "text").put("text", "Checking."),
        body.getJsonArray("content").getJsonObject(0));
    assertEquals(new JsonObject().put("type", "tool_use").put("id", "toolu_fixed").put("name", "get_weather")
        .put("input", new JsonObject().put("city", "Paris")), body.getJsonArray("content").getJsonObject(1));
  }

  @Test
  void stopReasonIsTranslatedToTheRouteVocabulary() throws Exception {
    fake.enqueue(Reply.text("cut").stopReason("max_tokens"), Reply.text("cut").stopReason("max_tokens"));

    assertEquals("length", post(OPENAI, openAiHeaders("k"), openAiRequest("x")).json()
        .getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
    assertEquals("max_tokens", post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("x")).json()
        .getString("stop_reason"));
  }

  @Test
  void scriptedErrorsUseEachRouteErrorFormatAndHeaders() throws Exception {
    fake.enqueue(Reply.error(429, "rate_limit_error", "Slow down").header("retry-after", "7"),
        Reply.error(429, "rate_limit_error", "Slow down").header("retry-after", "7")
            .header("anthropic-ratelimit-requests-reset", "2026-01-01T00:00:07Z"));

    Answer openAi = post(OPENAI, openAiHeaders("k"), openAiRequest("x"));
    assertEquals(429, openAi.status);
    assertEquals("7", openAi.headers.get("retry-after"));
    assertNotNull(openAi.headers.get("x-request-id"));
    assertEquals(new JsonObject().put("error", new JsonObject().put("message", "Slow down").put("type", "requests")
        .put("param", null).put("code", "rate_limit_exceeded")), openAi.json());

    Answer anthropic = post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("x"));
    assertEquals(429, anthropic.status);
    assertEquals("7", anthropic.headers.get("retry-after"));
    assertEquals("2026-01-01T00:00:07Z", anthropic.headers.get("anthropic-ratelimit-requests-reset"));
    JsonObject body = anthropic.json();
    assertEquals("error", body.getString("type"));
    assertEquals(new JsonObject().put("type", "rate_limit_error").put("message", "Slow down"),
        body.getJsonObject("error"));
    assertEquals(anthropic.headers.get("request-id"), body.getString("request_id"));
  }

  @Test
  void overloadedErrorKeepsStatusAndMapsType() throws Exception {
    fake.enqueue(Reply.error(529, "overloaded_error", "Overloaded"), Reply.error(503, "overloaded_error", "busy"));

    assertEquals("overloaded_error", post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("x")).json()
        .getJsonObject("error").getString("type"));
    Answer openAi = post(OPENAI, openAiHeaders("k"), openAiRequest("x"));
    assertEquals(503, openAi.status);
    assertEquals("server_error", openAi.json().getJsonObject("error").getString("type"));
  }

  @Test
  void anthropicCutAfterEventsClosesTheConnectionWithoutTerminalEvent(VertxTestContext ctx) {
    fake.enqueue(Reply.text("one two three").cutAfterEvents(4));
    String request = new JsonObject(anthropicRequest("x")).put("stream", true).encode();
    stream(ANTHROPIC, anthropicHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      assertFalse(stream.ended, "the response must not end normally");
      assertNotNull(stream.failure);
      assertEquals(List.of("message_start", "content_block_start", "ping", "content_block_delta"),
          stream.eventNames());
      ctx.completeNow();
    })));
  }

  @Test
  void openAiCutAfterEventsClosesTheConnectionWithoutDone(VertxTestContext ctx) {
    fake.enqueue(Reply.text("one two three").cutAfterEvents(2));
    String request = new JsonObject(openAiRequest("x")).put("stream", true).encode();
    stream(OPENAI, openAiHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      assertFalse(stream.ended);
      assertEquals(2, stream.dataLines().size());
      assertFalse(stream.dataLines().contains("[DONE]"));
      ctx.completeNow();
    })));
  }

  @Test
  void cutOverHttp2ResetsTheStream(Vertx vertx, VertxTestContext ctx) {
    client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
    fake.enqueue(Reply.text("one two three").cutAfterEvents(3));
    String request = new JsonObject(anthropicRequest("x")).put("stream", true).encode();
    stream(ANTHROPIC, anthropicHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      assertFalse(stream.ended);
      assertEquals(List.of("message_start", "content_block_start", "ping"), stream.eventNames());
      ctx.completeNow();
    })));
  }

  @Test
  void cutOnANonStreamedRequestClosesBeforeAnyResponse() {
    fake.enqueue(Reply.text("never").cutAfterEvents(0));
    Future<Answer> answer = send(OPENAI, openAiHeaders("k"), openAiRequest("x"));
    Throwable failure = assertFails(answer);
    assertNotNull(failure);
    assertEquals(1, fake.requestCount());
  }

  @Test
  void anthropicMidStreamErrorIsAnErrorEventAfterKEvents(VertxTestContext ctx) {
    fake.enqueue(Reply.text("one two").midStreamError(3, "overloaded_error", "Overloaded"));
    String request = new JsonObject(anthropicRequest("x")).put("stream", true).encode();
    stream(ANTHROPIC, anthropicHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      assertTrue(stream.ended);
      assertEquals(List.of("message_start", "content_block_start", "ping", "error"), stream.eventNames());
      List<String> data = stream.dataLines();
      assertEquals(new JsonObject().put("type", "error").put("error",
          new JsonObject().put("type", "overloaded_error").put("message", "Overloaded")),
          new JsonObject(data.get(data.size() - 1)));
      ctx.completeNow();
    })));
  }

  @Test
  void openAiMidStreamErrorIsAnErrorChunkWithoutDone(VertxTestContext ctx) {
    fake.enqueue(Reply.text("one two").midStreamError(2, "server_error", "boom"));
    String request = new JsonObject(openAiRequest("x")).put("stream", true).encode();
    stream(OPENAI, openAiHeaders("k"), request).onComplete(ctx.succeeding(stream -> ctx.verify(() -> {
      List<String> data = stream.dataLines();
      assertEquals(3, data.size());
      assertEquals(new JsonObject().put("error", new JsonObject().put("message", "boom").put("type", "server_error")
          .put("param", null).put("code", null)), new JsonObject(data.get(2)));
      ctx.completeNow();
    })));
  }

  @Test
  void latencyDelaysTheResponseHeaders() throws Exception {
    fake.enqueue(Reply.text("slow").latencyMs(300));
    long start = System.nanoTime();
    Answer answer = post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("x"));
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertEquals(200, answer.status);
    assertTrue(elapsedMs >= 300, "elapsed " + elapsedMs);
  }

  @Test
  void hangNeverAnswers() {
    fake.enqueue(Reply.hang());
    Future<Answer> answer = client.request(options(ANTHROPIC).setIdleTimeout(300)).compose(request -> {
      request.headers().addAll(anthropicHeaders("k"));
      return request.send(anthropicRequest("x")).compose(response -> response.body()
          .map(buffer -> new Answer(response.statusCode(), response.headers(), buffer.toString())));
    });
    assertNotNull(assertFails(answer));
    assertEquals(1, fake.requestCount());
  }

  @Test
  void recordsQueryHeadersAndBodyInArrivalOrder() throws Exception {
    post(OPENAI + "?trace=1", openAiHeaders("k").set("x-custom", "v"), openAiRequest("first"));
    post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("second"));

    List<RecordedRequest> requests = fake.requests();
    assertEquals(2, requests.size());
    assertEquals("/v1/chat/completions", requests.get(0).path());
    assertEquals("trace=1", requests.get(0).query());
    assertEquals("v", requests.get(0).header("X-Custom"));
    assertEquals("first", requests.get(0).json().getJsonArray("messages").getJsonObject(0).getString("content"));
    assertEquals(anthropicRequest("second"), requests.get(1).bodyText());
    assertEquals(requests.get(1), fake.lastRequest());
  }

  @Test
  void rawReplyIsSentByteForByte() throws Exception {
    fake.enqueue(Reply.raw(502, "text/html", "<html>bad gateway</html>"));
    Answer answer = post(OPENAI, openAiHeaders("k"), openAiRequest("x"));

    assertEquals(502, answer.status);
    assertEquals("text/html", answer.headers.get("content-type"));
    assertEquals("<html>bad gateway</html>", answer.body);
  }

  @Test
  void scriptedUsageFollowsEachRouteConvention() throws Exception {
    fake.enqueue(Reply.text("x").usage(100, 20, 300, 50), Reply.text("x").usage(100, 20, 300, 50));

    JsonObject openAi = post(OPENAI, openAiHeaders("k"), openAiRequest("x")).json().getJsonObject("usage");
    assertEquals(450, openAi.getInteger("prompt_tokens"));
    assertEquals(300, openAi.getJsonObject("prompt_tokens_details").getInteger("cached_tokens"));
    assertEquals(20, openAi.getInteger("completion_tokens"));
    assertEquals(470, openAi.getInteger("total_tokens"));

    JsonObject anthropic = post(ANTHROPIC, anthropicHeaders("k"), anthropicRequest("x")).json().getJsonObject("usage");
    assertEquals(100, anthropic.getInteger("input_tokens"));
    assertEquals(300, anthropic.getInteger("cache_read_input_tokens"));
    assertEquals(50, anthropic.getInteger("cache_creation_input_tokens"));
    assertEquals(20, anthropic.getInteger("output_tokens"));
  }

  // ---- authentication and validation ----

  @Test
  void missingKeyIs401InEachRouteFormatAndStillRecorded() throws Exception {
    fake.enqueue(Reply.text("kept for the next valid request"));
    MultiMap noAuth = MultiMap.caseInsensitiveMultiMap().set("content-type", "application/json");

    Answer openAi = post(OPENAI, noAuth, openAiRequest("x"));
    assertEquals(401, openAi.status);
    assertEquals("invalid_request_error", openAi.json().getJsonObject("error").getString("type"));

    Answer anthropic = post(ANTHROPIC, noAuth.copy().set("anthropic-version", "2023-06-01"), anthropicRequest("x"));
    assertEquals(401, anthropic.status);
    assertEquals("authentication_error", anthropic.json().getJsonObject("error").getString("type"));

    assertEquals(2, fake.requestCount());
    assertEquals(1, fake.server().pendingReplies());
  }

  @Test
  void unknownKeyIs401WhenKeysAreRestricted() throws Exception {
    fake.server().acceptKeys("good");

    Answer openAi = post(OPENAI, openAiHeaders("bad-key-123456"), openAiRequest("x"));
    assertEquals(401, openAi.status);
    assertEquals("invalid_api_key", openAi.json().getJsonObject("error").getString("code"));
    Answer anthropic = post(ANTHROPIC, anthropicHeaders("bad"), anthropicRequest("x"));
    assertEquals(401, anthropic.status);
    assertEquals("authentication_error", anthropic.json().getJsonObject("error").getString("type"));
    assertEquals(200, post(OPENAI, openAiHeaders("good"), openAiRequest("x")).status);
    assertEquals(200, post(ANTHROPIC, anthropicHeaders("good"), anthropicRequest("x")).status);
  }

  @Test
  void aKeylessServerAdmitsOpenAiRequestsWithoutAKeyButStillChecksGivenOnes() throws Exception {
    fake.server().acceptMissingKey().acceptKeys("good");
    MultiMap noAuth = MultiMap.caseInsensitiveMultiMap().set("content-type", "application/json");

    assertEquals(200, post(OPENAI, noAuth, openAiRequest("x")).status);
    assertEquals(401, post(OPENAI, openAiHeaders("bad-key-123456"), openAiRequest("x")).status);
    fake.reset();
    assertEquals(401, post(OPENAI, noAuth, openAiRequest("x")).status, "reset requires keys again");
  }

  @Test
  void usageAccountingRequestsGetTheCostInTheirUsage() throws Exception {
    String asking = new JsonObject(openAiRequest("Hello there")).put("usage", new JsonObject().put("include", true)).encode();

    JsonObject usage = post(OPENAI, openAiHeaders("k1"), asking).json().getJsonObject("usage");
    assertEquals(usage.getInteger("total_tokens") * FakeUpstream.FAKE_USD_PER_TOKEN, usage.getDouble("cost"), 1e-12);
    assertNull(post(OPENAI, openAiHeaders("k1"), openAiRequest("Hello there")).json().getJsonObject("usage").getValue("cost"));
  }

  @Test
  void anthropicAcceptsBearerAuthorizationToo() throws Exception {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("authorization", "Bearer k")
        .set("anthropic-version", "2023-06-01").set("content-type", "application/json");
    assertEquals(200, post(ANTHROPIC, headers, anthropicRequest("x")).status);
  }

  @Test
  void anthropicRequiresVersionHeader() throws Exception {
    Answer answer = post(ANTHROPIC, anthropicHeaders("k").remove("anthropic-version"), anthropicRequest("x"));
    assertAnthropicInvalid(answer, "anthropic-version: header is required");
  }

  @Test
  void anthropicRequiresMaxTokens() throws Exception {
    JsonObject request = new JsonObject(anthropicRequest("x"));
    request.remove("max_tokens");
    assertAnthropicInvalid(post(ANTHROPIC, anthropicHeaders("k"), request.encode()), "max_tokens: Field required");
  }

  @Test
  void anthropicRejectsNonAlternatingRoles() throws Exception {
    JsonObject request = new JsonObject(anthropicRequest("x"));
    request.getJsonArray("messages").add(new JsonObject().put("role", "user").put("content", "again"));
    assertAnthropicInvalid(post(ANTHROPIC, anthropicHeaders("k"), request.encode()),
        "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"user\" roles in a row");
  }

  @Test
  void anthropicRejectsFirstAssistantMessage() throws Exception {
    JsonObject request = new JsonObject(anthropicRequest("x"));
    request.put("messages", new JsonArray().add(new JsonObject().put("role", "assistant").put("content", "hi")));
    assertAnthropicInvalid(post(ANTHROPIC, anthropicHeaders("k"), request.encode()),
        "messages: first message must use the \"user\" role");
  }

  @Test
  void anthropicToolResultMustAnswerPreviousToolUse() throws Exception {
    JsonObject request = new JsonObject(anthropicRequest("weather?"));
    request.getJsonArray("messages")
        .add(new JsonObject().put("role", "assistant").put("content", new JsonArray().add(new JsonObject()
            .put("type", "tool_use").put("id", "toolu_1").put("name", "get_weather").put("input", new JsonObject()))))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray().add(new JsonObject()
            .put("type", "tool_result").put("tool_use_id", "toolu_2").put("content", "sunny"))));
    Answer answer = post(ANTHROPIC, anthropicHeaders("k"), request.encode());
    assertEquals(400, answer.status);
    assertTrue(answer.json().getJsonObject("error").getString("message")
        .startsWith("messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_2"));

    request.getJsonArray("messages").getJsonObject(2).getJsonArray("content").getJsonObject(0)
        .put("tool_use_id", "toolu_1");
    Answer ok = post(ANTHROPIC, anthropicHeaders("k"), request.encode());
    assertEquals(200, ok.status);
    assertEquals("echo: sunny", ok.json().getJsonArray("content").getJsonObject(0).getString("text"));
  }

  @Test
  void openAiRejectsEmptyMessages() throws Exception {
    Answer answer = post(OPENAI, openAiHeaders("k"),
        new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()).encode());
    assertEquals(400, answer.status);
    JsonObject error = answer.json().getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"));
    assertEquals("messages", error.getString("param"));
    assertEquals("empty_array", error.getString("code"));
  }

  @Test
  void openAiToolMessagesMustAnswerAPrecedingToolCall() throws Exception {
    JsonObject orphan = new JsonObject(openAiRequest("x"));
    orphan.getJsonArray("messages").add(new JsonObject().put("role", "tool").put("tool_call_id", "call_9")
        .put("content", "sunny"));
    Answer answer = post(OPENAI, openAiHeaders("k"), orphan.encode());
    assertEquals(400, answer.status);
    assertEquals("messages.[1].role", answer.json().getJsonObject("error").getString("param"));

    JsonObject unanswered = new JsonObject(openAiRequest("x"));
    unanswered.getJsonArray("messages").add(new JsonObject().put("role", "assistant").put("content", null)
        .put("tool_calls", new JsonArray().add(new JsonObject().put("id", "call_1").put("type", "function")
            .put("function", new JsonObject().put("name", "f").put("arguments", "{}")))))
        .add(new JsonObject().put("role", "user").put("content", "next"));
    Answer second = post(OPENAI, openAiHeaders("k"), unanswered.encode());
    assertEquals(400, second.status);
    assertTrue(second.json().getJsonObject("error").getString("message").endsWith("call_1"));

    unanswered.getJsonArray("messages").add(2, new JsonObject().put("role", "tool").put("tool_call_id", "call_1")
        .put("content", "done"));
    assertEquals(200, post(OPENAI, openAiHeaders("k"), unanswered.encode()).status);
  }

  @Test
  void unknownPathIs404() throws Exception {
    assertEquals(404, post("/v1/completions", openAiHeaders("k"), "{}").status);
    assertEquals(1, fake.requestCount());
  }

  // ---- prompt-cache simulation ----

  @Test
  void anthropicCacheReadsARepeatedPrefixForTheSameKeyOnly() throws Exception {
    String request = cachedAnthropicRequest();

    JsonObject first = post(ANTHROPIC, anthropicHeaders("k1"), request).json().getJsonObject("usage");
    int written = first.getInteger("cache_creation_input_tokens");
    assertTrue(written >= PromptCache.MIN_CACHEABLE_TOKENS, "written " + written);
    assertEquals(0, first.getInteger("cache_read_input_tokens"));

    JsonObject second = post(ANTHROPIC, anthropicHeaders("k1"), request).json().getJsonObject("usage");
    assertEquals(written, second.getInteger("cache_read_input_tokens"));
    assertEquals(0, second.getInteger("cache_creation_input_tokens"));
    assertEquals(first.getInteger("input_tokens"), second.getInteger("input_tokens"));

    JsonObject otherKey = post(ANTHROPIC, anthropicHeaders("k2"), request).json().getJsonObject("usage");
    assertEquals(0, otherKey.getInteger("cache_read_input_tokens"));
    assertEquals(written, otherKey.getInteger("cache_creation_input_tokens"));
  }

  @Test
  void anthropicCacheEntriesExpireAfterFiveMinutes() throws Exception {
    AtomicLong now = new AtomicLong(1_000_000);
    fake.server().clock(now::get);
    String request = cachedAnthropicRequest();
    post(ANTHROPIC, anthropicHeaders("k1"), request);

    now.addAndGet(4 * 60_000);
    assertTrue(post(ANTHROPIC, anthropicHeaders("k1"), request).json().getJsonObject("usage")
        .getInteger("cache_read_input_tokens") > 0);
    now.addAndGet(5 * 60_000 + 1);
    JsonObject usage = post(ANTHROPIC, anthropicHeaders("k1"), request).json().getJsonObject("usage");
    assertEquals(0, usage.getInteger("cache_read_input_tokens"));
    assertTrue(usage.getInteger("cache_creation_input_tokens") > 0);
  }

  @Test
  void anthropicShortPrefixIsNotCached() throws Exception {
    JsonObject request = new JsonObject(anthropicRequest("x")).put("system", new JsonArray().add(new JsonObject()
        .put("type", "text").put("text", "short").put("cache_control", new JsonObject().put("type", "ephemeral"))));
    post(ANTHROPIC, anthropicHeaders("k1"), request.encode());
    JsonObject usage = post(ANTHROPIC, anthropicHeaders("k1"), request.encode()).json().getJsonObject("usage");
    assertEquals(0, usage.getInteger("cache_read_input_tokens"));
    assertEquals(0, usage.getInteger("cache_creation_input_tokens"));
  }

  @Test
  void openAiCachesLongPromptPrefixesPerKeyIn128TokenSteps() throws Exception {
    String longPrompt = "word ".repeat(1500);
    JsonObject first = new JsonObject(openAiRequest(longPrompt));
    JsonObject extended = first.copy();
    extended.getJsonArray("messages").add(new JsonObject().put("role", "assistant").put("content", "ok"))
        .add(new JsonObject().put("role", "user").put("content", "and more"));

    JsonObject u1 = post(OPENAI, openAiHeaders("k1"), first.encode()).json().getJsonObject("usage");
    assertEquals(0, u1.getJsonObject("prompt_tokens_details").getInteger("cached_tokens"));

    JsonObject u2 = post(OPENAI, openAiHeaders("k1"), extended.encode()).json().getJsonObject("usage");
    int cached = u2.getJsonObject("prompt_tokens_details").getInteger("cached_tokens");
    assertTrue(cached >= PromptCache.MIN_CACHEABLE_TOKENS, "cached " + cached);
    assertEquals(0, (cached - PromptCache.MIN_CACHEABLE_TOKENS) % PromptCache.OPENAI_INCREMENT_TOKENS);
    assertTrue(cached <= u1.getInteger("prompt_tokens"));
    assertTrue(u2.getInteger("prompt_tokens") > cached, "prompt_tokens includes the cached tokens");

    JsonObject other = post(OPENAI, openAiHeaders("k2"), extended.encode()).json().getJsonObject("usage");
    assertEquals(0, other.getJsonObject("prompt_tokens_details").getInteger("cached_tokens"));
  }

  @Test
  void openAiShortPromptsAreNeverCached() throws Exception {
    post(OPENAI, openAiHeaders("k1"), openAiRequest("short"));
    JsonObject usage = post(OPENAI, openAiHeaders("k1"), openAiRequest("short")).json().getJsonObject("usage");
    assertEquals(0, usage.getJsonObject("prompt_tokens_details").getInteger("cached_tokens"));
  }

  // ---- helpers ----

  private static final String OPENAI = "/v1/chat/completions";
  private static final String ANTHROPIC = "/v1/messages";

  private static String cachedAnthropicRequest() {
    return new JsonObject(anthropicRequest("question")).put("system", new JsonArray().add(new JsonObject()
        .put("type", "text").put("text", "You are a careful assistant. ".repeat(200))
        .put("cache_control", new JsonObject().put("type", "ephemeral")))).encode();
  }

  private static String openAiRequest(String userText) {
    return new JsonObject().put("model", "gpt-4o").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", userText))).encode();
  }

  private static String anthropicRequest(String userText) {
    return new JsonObject().put("model", "claude-sonnet-4-5").put("max_tokens", 1024).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", userText))).encode();
  }

  private static MultiMap openAiHeaders(String key) {
    return MultiMap.caseInsensitiveMultiMap().set("authorization", "Bearer " + key)
        .set("content-type", "application/json");
  }

  private static MultiMap anthropicHeaders(String key) {
    return MultiMap.caseInsensitiveMultiMap().set("x-api-key", key).set("anthropic-version", "2023-06-01")
        .set("content-type", "application/json");
  }

  private static JsonObject delta(JsonObject chunk) {
    return chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
  }

  private static void assertAnthropicInvalid(Answer answer, String message) {
    assertEquals(400, answer.status);
    JsonObject body = answer.json();
    assertEquals("error", body.getString("type"));
    assertEquals(new JsonObject().put("type", "invalid_request_error").put("message", message),
        body.getJsonObject("error"));
    assertNotNull(body.getString("request_id"));
  }

  private Answer post(String path, MultiMap headers, String body) throws Exception {
    return send(path, headers, body).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable assertFails(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("expected a failure");
  }

  private Future<Answer> send(String path, MultiMap headers, String body) {
    return client.request(options(path)).compose(request -> {
      request.headers().addAll(headers);
      return request.send(body).compose(response -> response.body()
          .map(buffer -> new Answer(response.statusCode(), response.headers(), buffer.toString())));
    });
  }

  private Future<Stream> stream(String path, MultiMap headers, String body) {
    return client.request(options(path)).compose(request -> {
      request.headers().addAll(headers);
      return request.send(body).compose(response -> {
        Promise<Stream> done = Promise.promise();
        Buffer received = Buffer.buffer();
        List<Long> arrivals = new ArrayList<>();
        response.handler(chunk -> {
          arrivals.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime()));
          received.appendBuffer(chunk);
        });
        response.endHandler(v -> done.tryComplete(new Stream(response.headers(), received.toString(), true, null, arrivals)));
        response.exceptionHandler(e -> done.tryComplete(new Stream(response.headers(), received.toString(), false, e, arrivals)));
        return done.future();
      });
    });
  }

  private RequestOptions options(String path) {
    return new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(fake.port()).setURI(path);
  }

  private record Answer(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private record Stream(MultiMap headers, String text, boolean ended, Throwable failure, List<Long> arrivals) {

    List<String> eventNames() {
      List<String> names = new ArrayList<>();
      for (String frame : frames()) {
        for (String line : frame.split("\n")) {
          if (line.startsWith("event: ")) {
            names.add(line.substring(7));
          }
        }
      }
      return names;
    }

    List<String> dataLines() {
      List<String> data = new ArrayList<>();
      for (String frame : frames()) {
        for (String line : frame.split("\n")) {
          if (line.startsWith("data: ")) {
            data.add(line.substring(6));
          }
        }
      }
      return data;
    }

    private List<String> frames() {
      List<String> frames = new ArrayList<>();
      for (String frame : text.split("\n\n")) {
        if (!frame.isBlank()) {
          frames.add(frame);
        }
      }
      return frames;
    }
  }
}
