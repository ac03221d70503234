package dev.ensemble.ingress;

import dev.ensemble.routing.UsageReport;
import dev.ensemble.testing.UsageReports;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP surface of a real node, driven with a plain HTTP client against the fake upstream. */
class GatewayHttpIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.against(fake);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static String openAiChat(String model, boolean stream) {
    return new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello there"))).encode();
  }

  private static String anthropicChat(String model, boolean stream) {
    return new JsonObject().put("model", model).put("max_tokens", 256).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello there"))).encode();
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<InputStream> postStreaming(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  @Test
  void everyProxiedResponseCarriesTheRoutingHeaders() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", openAiChat("claude-test", false));

    assertEquals(200, response.statusCode(), response.body());
    String requestId = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(26, requestId.length());
    assertEquals("ant", response.headers().firstValue("x-ensemble-provider").orElseThrow());
    assertEquals("ant-1", response.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertEquals("only_endpoint", response.headers().firstValue("x-ensemble-route-reason").orElseThrow());
    assertEquals("1", response.headers().firstValue("x-ensemble-attempts").orElseThrow());
    JsonObject body = new JsonObject(response.body());
    assertEquals("chatcmpl-" + requestId, body.getString("id"));
    assertEquals("claude-test", body.getString("model"));
    assertEquals("echo: Hello there", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
  }

  @Test
  void theRoutingHeadersGoOnTheHttp1WireSpelledAsTheSpecNamesThem() throws Exception {
    byte[] body = openAiChat("claude-test", false).getBytes(StandardCharsets.UTF_8);
    String head;
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(body);
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      head = answer.substring(0, answer.indexOf("\r\n\r\n"));
    }

    List<String> lines = List.of(head.split("\r\n"));
    assertEquals("HTTP/1.1 200 OK", lines.get(0));
    assertTrue(lines.stream().anyMatch(l -> l.matches("X-Ensemble-Request-Id: [0-9a-z]{26}")), head);
    assertTrue(lines.contains("X-Ensemble-Provider: ant"), head);
    assertTrue(lines.contains("X-Ensemble-Endpoint: ant-1"), head);
    assertTrue(lines.contains("X-Ensemble-Route-Reason: only_endpoint"), head);
    assertTrue(lines.contains("X-Ensemble-Attempts: 1"), head);
  }

  @Test
  void everyProxiedResponseCarriesTheRoutingHeadersOverH2cToo() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
    // the first request upgrades the connection to h2c; the chat request follows on it
    assertEquals(HttpClient.Version.HTTP_2, h2.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString()).version());

    HttpResponse<String> response = h2.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(openAiChat("claude-test", false))).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(HttpClient.Version.HTTP_2, response.version());
    assertEquals(200, response.statusCode(), response.body());
    String requestId = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(26, requestId.length());
    assertEquals("ant", response.headers().firstValue("x-ensemble-provider").orElseThrow());
    assertEquals("ant-1", response.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertEquals("only_endpoint", response.headers().firstValue("x-ensemble-route-reason").orElseThrow());
    assertEquals("1", response.headers().firstValue("x-ensemble-attempts").orElseThrow());
    assertEquals("chatcmpl-" + requestId, new JsonObject(response.body()).getString("id"));
  }

  @Test
  void malformedJsonIs400InTheCallersFormat() throws Exception {
    HttpResponse<String> openAi = post("/v1/chat/completions", "{\"model\": ");
    HttpResponse<String> anthropic = post("/v1/messages", "{\"model\": ");

    assertEquals(400, openAi.statusCode());
    assertEquals("invalid_request_error", new JsonObject(openAi.body()).getJsonObject("error").getString("type"));
    assertEquals(400, anthropic.statusCode());
    JsonObject error = new JsonObject(anthropic.body());
    assertEquals("error", error.getString("type"));
    assertEquals("invalid_request_error", error.getJsonObject("error").getString("type"));
    assertFalse(openAi.body().contains("Exception"), openAi.body());
    assertEquals(0, fake.requestCount());
  }

  @Test
  void missingRequiredFieldNamesIt() throws Exception {
    HttpResponse<String> response = post("/v1/messages", new JsonObject().put("model", "claude-test")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).encode());

    assertEquals(400, response.statusCode());
    assertTrue(new JsonObject(response.body()).getJsonObject("error").getString("message").contains("max_tokens"), response.body());
  }

  @Test
  void unknownModelIs404InBothFormats() throws Exception {
    HttpResponse<String> openAi = post("/v1/chat/completions", openAiChat("no-such-model", false));
    HttpResponse<String> anthropic = post("/v1/messages", anthropicChat("no-such-model", false));

    assertEquals(404, openAi.statusCode());
    assertEquals("model_not_found", new JsonObject(openAi.body()).getJsonObject("error").getString("code"));
    assertEquals(404, anthropic.statusCode());
    assertEquals("not_found_error", new JsonObject(anthropic.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    String huge = "x".repeat(70_000);
    HttpResponse<String> response = post("/v1/messages", anthropicChat("claude-test", false).replace("Hello there", huge));

    assertEquals(413, response.statusCode());
    assertEquals("request_too_large", new JsonObject(response.body()).getJsonObject("error").getString("type"));
    assertEquals(0, fake.requestCount());
  }

  @Test
  void upstreamServerErrorIs502() throws Exception {
    fake.enqueue(Reply.error(500, "api_error", "Internal server error"));

    HttpResponse<String> response = post("/v1/chat/completions", openAiChat("claude-test", false));

    assertEquals(502, response.statusCode());
    assertEquals("server_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void anthropicOverloadedIs503() throws Exception {
    fake.enqueue(Reply.error(529, "overloaded_error", "Overloaded"));

    HttpResponse<String> response = post("/v1/messages", anthropicChat("claude-test", false));

    assertEquals(503, response.statusCode());
    assertEquals("overloaded_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void upstreamRateLimitIs429WithRetryAfter() throws Exception {
    fake.enqueue(Reply.error(429, "rate_limit_exceeded", "Rate limit reached").header("retry-after", "7"));

    HttpResponse<String> response = post("/v1/chat/completions", openAiChat("gpt-test", false));

    assertEquals(429, response.statusCode());
    assertEquals("7", response.headers().firstValue("retry-after").orElseThrow());
  }

  @Test
  void upstreamRejectingTheKeyIs502UpstreamAuthFailedWithoutTheKey() throws Exception {
    fake.server().acceptKeys("some-other-key");

    HttpResponse<String> response = post("/v1/chat/completions", openAiChat("gpt-test", false));

    assertEquals(502, response.statusCode());
    assertEquals("upstream_auth_failed", new JsonObject(response.body()).getJsonObject("error").getString("code"));
    assertFalse(response.body().contains(GatewayExtension.OPENAI_KEY), response.body());
  }

  @Test
  void upstreamBadRequestIsPassedOnAs400() throws Exception {
    fake.enqueue(Reply.error(400, "invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum"));

    HttpResponse<String> response = post("/v1/messages", anthropicChat("claude-test", false));

    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("prompt is too long"), response.body());
  }

  @Test
  void upstreamThatNeverAnswersIs504() throws Exception {
    fake.enqueue(Reply.hang());

    HttpResponse<String> response = post("/v1/chat/completions", openAiChat("gpt-test", false));

    assertEquals(504, response.statusCode());
    assertEquals("server_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void streamedEventsReachTheClientOneByOne() throws Exception {
    fake.enqueue(Reply.text("one two three four five six").eventDelayMs(150));

    HttpResponse<InputStream> response = postStreaming("/v1/chat/completions", openAiChat("claude-test", true));

    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
    List<Long> arrivals = new ArrayList<>();
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("data: ")) {
          arrivals.add(System.nanoTime());
          lines.add(line);
        }
      }
    }
    assertEquals("data: [DONE]", lines.get(lines.size() - 1));
    String text = lines.stream().filter(l -> !l.equals("data: [DONE]")).map(l -> new JsonObject(l.substring(6)))
        .flatMap(chunk -> chunk.getJsonArray("choices").stream()).map(c -> ((JsonObject) c).getJsonObject("delta").getString("content"))
        .filter(c -> c != null).collect(Collectors.joining());
    assertEquals("one two three four five six", text);
    long spreadMs = (arrivals.get(arrivals.size() - 1) - arrivals.get(0)) / 1_000_000;
    assertTrue(spreadMs >= 450, "chunks were buffered: all arrived within " + spreadMs + " ms");
  }

  @Test
  void streamCutAfterTheFirstByteEndsWithAnOpenAiErrorChunk() throws Exception {
    fake.enqueue(Reply.text("a long answer that will be cut").cutAfterEvents(4));

    HttpResponse<String> response = post("/v1/chat/completions", openAiChat("claude-test", true));

    assertEquals(200, response.statusCode());
    List<String> data = dataLines(response.body());
    assertFalse(data.contains("[DONE]"), response.body());
    JsonObject last = new JsonObject(data.get(data.size() - 1));
    assertNotNull(last.getJsonObject("error"), response.body());
  }

  @Test
  void streamCutAfterTheFirstByteEndsWithAnAnthropicErrorEvent() throws Exception {
    fake.enqueue(Reply.text("a long answer that will be cut").cutAfterEvents(3));

    HttpResponse<String> response = post("/v1/messages", anthropicChat("gpt-test", true));

    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("event: error"), response.body());
    assertFalse(response.body().contains("event: message_stop"), response.body());
  }

  @Test
  void streamCutBeforeAnyEventIsAPlain502() throws Exception {
    fake.enqueue(Reply.text("never sent").cutAfterEvents(0));

    HttpResponse<String> response = post("/v1/messages", anthropicChat("claude-test", true));

    assertEquals(502, response.statusCode());
    assertEquals("api_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void midStreamUpstreamErrorReachesTheClientAsAnErrorEvent() throws Exception {
    fake.enqueue(Reply.text("partial answer here").midStreamError(3, "overloaded_error", "Overloaded"));

    HttpResponse<String> response = post("/v1/messages", anthropicChat("claude-test", true));

    assertTrue(response.body().contains("event: error"), response.body());
    assertTrue(response.body().contains("overloaded_error"), response.body());
  }

  @Test
  void clientDisconnectDoesNotStopTheUpstreamRead() throws Exception {
    fake.enqueue(Reply.text("one two three four five six seven eight").eventDelayMs(60));
    try (UsageReports reports = UsageReports.listen(gateway.vertx())) {
      HttpResponse<InputStream> response = postStreaming("/v1/messages", anthropicChat("claude-test", true));
      String requestId = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
      InputStream body = response.body();
      assertTrue(body.read() >= 0);
      body.close();

      UsageReport usage = reports.of(requestId).get(10, TimeUnit.SECONDS);
      assertEquals(requestId, usage.requestId());
      assertEquals(200, usage.status(), "the upstream was read to its end");
      assertNotNull(usage.usage().output());
      assertTrue(usage.usage().output() > 0);
    }
  }

  @Test
  void cacheControlReachesAnthropicByteForByteAndRepeatsAreByteStable() throws Exception {
    JsonObject cache = new JsonObject().put("type", "ephemeral").put("ttl", "1h");
    String body = new JsonObject().put("model", "claude-test").put("max_tokens", 100)
        .put("tools", new JsonArray().add(new JsonObject().put("name", "lookup").put("description", "Look up")
            .put("input_schema", new JsonObject().put("type", "object").put("properties", new JsonObject()
                .put("q", new JsonObject().put("type", "string")))).put("cache_control", cache)))
        .put("system", new JsonArray().add(new JsonObject().put("type", "text").put("text", "You are terse.").put("cache_control", cache)))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "first question").put("cache_control", new JsonObject().put("type", "ephemeral"))))))
        .encode();

    assertEquals(200, post("/v1/messages", body).statusCode());
    assertEquals(200, post("/v1/messages", body).statusCode());

    String first = fake.requests().get(0).bodyText();
    String second = fake.requests().get(1).bodyText();
    assertEquals(first, second);
    JsonObject upstream = new JsonObject(first);
    assertEquals(cache, upstream.getJsonArray("tools").getJsonObject(0).getJsonObject("cache_control"));
    assertEquals(cache, upstream.getJsonArray("system").getJsonObject(0).getJsonObject("cache_control"));
    assertEquals(new JsonObject().put("type", "ephemeral"), upstream.getJsonArray("messages").getJsonObject(0)
        .getJsonArray("content").getJsonObject(0).getJsonObject("cache_control"));
    assertEquals("claude-sonnet-4-5-20250929", upstream.getString("model"));
  }

  @Test
  void workflowRouteUsesItsConfiguredModel() throws Exception {
    HttpResponse<String> response = post("/v1/workflows/summarize", new JsonObject()
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "summarize this"))).encode());

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("ant", response.headers().firstValue("x-ensemble-provider").orElseThrow());
    assertEquals("/v1/messages", fake.lastRequest().path());
  }

  @Test
  void unknownWorkflowIs404() throws Exception {
    HttpResponse<String> response = post("/v1/workflows/nope", openAiChat("gpt-test", false));

    assertEquals(404, response.statusCode());
  }

  @Test
  void modelsAreListedInOpenAiAndAnthropicFormats() throws Exception {
    HttpResponse<String> openAi = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/models")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> anthropic = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/models"))
        .header("anthropic-version", "2023-06-01").build(), HttpResponse.BodyHandlers.ofString());

    JsonObject list = new JsonObject(openAi.body());
    assertEquals("list", list.getString("object"));
    assertEquals(List.of("gpt-test", "claude-test", "mock-1"),
        list.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")).toList());
    JsonObject page = new JsonObject(anthropic.body());
    assertEquals("model", page.getJsonArray("data").getJsonObject(0).getString("type"));
    assertEquals(false, page.getBoolean("has_more"));
  }

  @Test
  void aModelIsRetrievedByIdInOpenAiAndAnthropicFormatsAndAnUnknownOneIs404() throws Exception {
    HttpResponse<String> openAi = get("/v1/models/gpt-test");
    HttpResponse<String> anthropic = get("/v1/models/claude-test", "anthropic-version", "2023-06-01");
    HttpResponse<String> missing = get("/v1/models/no-such-model");
    HttpResponse<String> missingAnthropic = get("/v1/models/no-such-model", "anthropic-version", "2023-06-01");

    assertEquals(200, openAi.statusCode(), openAi.body());
    JsonObject model = new JsonObject(openAi.body());
    assertEquals("gpt-test", model.getString("id"));
    assertEquals("model", model.getString("object"));
    assertNotNull(model.getLong("created"));
    assertNotNull(model.getString("owned_by"));
    assertEquals(200, anthropic.statusCode(), anthropic.body());
    JsonObject info = new JsonObject(anthropic.body());
    assertEquals("model", info.getString("type"));
    assertEquals("claude-test", info.getString("id"));
    assertNotNull(info.getString("created_at"));
    assertEquals(404, missing.statusCode(), missing.body());
    assertEquals("model_not_found", new JsonObject(missing.body()).getJsonObject("error").getString("code"));
    assertEquals(404, missingAnthropic.statusCode(), missingAnthropic.body());
    assertEquals("not_found_error", new JsonObject(missingAnthropic.body()).getJsonObject("error").getString("type"));
  }

  @Test
  void healthAnswersOverH2cToo() throws Exception {
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> response = h2.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    assertEquals(new JsonObject().put("status", "ok"), new JsonObject(response.body()));
    assertEquals(HttpClient.Version.HTTP_2, response.version());
  }

  @Test
  void mockProviderAnswersWithoutAnyKey() throws Exception {
    HttpResponse<String> response = post("/v1/messages", anthropicChat("mock-1", false));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject message = new JsonObject(response.body());
    assertTrue(message.getJsonArray("content").getJsonObject(0).getString("text").endsWith("You said: Hello there"));
    assertEquals("end_turn", message.getString("stop_reason"));
  }

  @Test
  void mockProviderStreamsItsAnswerWithUsageInTheLastChunk() throws Exception {
    String body = new JsonObject(openAiChat("mock-1", true)).put("stream_options", new JsonObject().put("include_usage", true)).encode();

    HttpResponse<String> response = post("/v1/chat/completions", body);

    assertEquals(200, response.statusCode(), response.body());
    List<String> data = dataLines(response.body());
    assertEquals("[DONE]", data.get(data.size() - 1));
    List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).toList();
    String text = chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
        .map(c -> c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content", ""))
        .collect(Collectors.joining());
    assertTrue(text.endsWith("You said: Hello there"), text);
    assertTrue(chunks.size() > 4, "split into words: " + chunks.size() + " chunks");
    JsonObject usage = chunks.get(chunks.size() - 1).getJsonObject("usage");
    assertTrue(usage.getInteger("prompt_tokens") > 0, usage.encode());
    assertTrue(usage.getInteger("completion_tokens") > 0, usage.encode());
  }

  @Test
  void mockProviderCallsAForcedToolWithEmptyArguments() throws Exception {
    JsonObject tool = new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "get_weather")
        .put("parameters", new JsonObject().put("type", "object")));
    String body = new JsonObject(openAiChat("mock-1", false)).put("tools", new JsonArray().add(tool))
        .put("tool_choice", "required").encode();

    HttpResponse<String> response = post("/v1/chat/completions", body);

    assertEquals(200, response.statusCode(), response.body());
    JsonObject choice = new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0);
    assertEquals("tool_calls", choice.getString("finish_reason"));
    JsonObject call = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0);
    assertEquals("get_weather", call.getJsonObject("function").getString("name"));
    assertEquals("{}", call.getJsonObject("function").getString("arguments"));
  }

  @Test
  void mockProviderAcceptsAnImageAndEchoesOnlyTheText() throws Exception {
    JsonArray content = new JsonArray().add(new JsonObject().put("type", "text").put("text", "What is this?"))
        .add(new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "https://example.com/cat.png")));
    String body = new JsonObject().put("model", "mock-1")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", content))).encode();

    HttpResponse<String> response = post("/v1/chat/completions", body);

    assertEquals(200, response.statusCode(), response.body());
    String text = new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    assertTrue(text.endsWith("You said: What is this?"), text);
  }

  private static List<String> dataLines(String sse) {
    return sse.lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void completedResponseIsPersistedWithItsBodyUsageAndCost() throws Exception {
    fake.enqueue(Reply.text("persist me").usage(1_000, 200, 0, 0));
    HttpResponse<String> answer = post("/v1/messages", anthropicChat("claude-test", false));
    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();

    HttpResponse<String> stored = get("/api/v1/responses/" + id);

    assertEquals(200, stored.statusCode(), stored.body());
    JsonObject record = new JsonObject(stored.body());
    assertEquals(id, record.getString("id"));
    assertEquals("completed", record.getString("status"));
    assertEquals("persist me", record.getString("text"));
    assertEquals("end_turn", record.getString("stop_reason"));
    assertEquals("ant", record.getString("provider"));
    assertEquals(1_000L, record.getJsonObject("usage").getLong("input"));
    // 1,000 x $3 + 200 x $15 per million tokens
    // a JSON number, as in the response.end event and /admin/usage
    assertTrue(record.getValue("cost_usd") instanceof Number, stored.body());
    assertEquals(0, new java.math.BigDecimal("0.006").compareTo(new java.math.BigDecimal(record.getValue("cost_usd").toString())), stored.body());
    assertEquals(new JsonObject(answer.body()), record.getJsonObject("body"));
    assertFalse(record.containsKey("events"));
  }

  @Test
  void anOpenAiStreamToAnOpenAiClientIsPassedThroughWithTheGatewaysIdAndModelAndItsUsageStillAccounted() throws Exception {
    fake.enqueue(Reply.text("pass me through").usage(120, 3, 0, 0));
    String body = new JsonObject(openAiChat("gpt-test", true)).put("stream_options", new JsonObject().put("include_usage", true)).encode();

    HttpResponse<String> answer = post("/v1/chat/completions", body);

    assertEquals(200, answer.statusCode(), answer.body());
    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    List<String> data = dataLines(answer.body());
    assertEquals("[DONE]", data.get(data.size() - 1));
    List<JsonObject> chunks = data.subList(0, data.size() - 1).stream().map(JsonObject::new).toList();
    // the upstream's own fields come through as it sent them: the gateway's renderer writes no system_fingerprint
    assertTrue(chunks.stream().allMatch(c -> c.getString("system_fingerprint") != null), answer.body());
    assertTrue(chunks.stream().allMatch(c -> ("chatcmpl-" + id).equals(c.getString("id"))), answer.body());
    assertTrue(chunks.stream().allMatch(c -> "gpt-test".equals(c.getString("model"))), answer.body());
    assertEquals("pass me through", chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
        .map(c -> c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("content", "")).collect(Collectors.joining()));
    JsonObject usage = chunks.get(chunks.size() - 1).getJsonObject("usage");
    assertEquals(120, usage.getInteger("prompt_tokens"));
    assertEquals(3, usage.getInteger("completion_tokens"));
    JsonObject stored = new JsonObject(get("/api/v1/responses/" + id).body());
    assertEquals("completed", stored.getString("status"));
    assertEquals("pass me through", stored.getString("text"));
    assertEquals(120L, stored.getJsonObject("usage").getLong("input"));
    assertEquals(3L, stored.getJsonObject("usage").getLong("output"));
    assertNotNull(stored.getString("cost_usd"), stored.encode());
  }

  @Test
  void streamedResponseEventsReplayAsSseAndResumeAfterLastEventId() throws Exception {
    fake.enqueue(Reply.text("alpha beta gamma"));
    HttpResponse<String> answer = post("/v1/chat/completions", openAiChat("claude-test", true));
    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();

    HttpResponse<String> all = get("/api/v1/responses/" + id + "/events");
    HttpResponse<String> resumed = get("/api/v1/responses/" + id + "/events", "Last-Event-ID", "2");

    assertEquals("text/event-stream", all.headers().firstValue("content-type").orElseThrow());
    List<String> ids = all.body().lines().filter(l -> l.startsWith("id: ")).toList();
    assertEquals("id: 0", ids.get(0));
    assertTrue(all.body().contains("event: response.start"), all.body());
    assertTrue(all.body().contains("event: response.end"), all.body());
    assertEquals("id: 3", resumed.body().lines().filter(l -> l.startsWith("id: ")).findFirst().orElseThrow());
    JsonObject start = new JsonObject(dataLines(all.body()).get(0));
    assertEquals(id, start.getString("id"));
    assertEquals("ant", start.getString("provider"));
    assertEquals("ant-1", start.getString("endpoint"));
    assertEquals("alpha beta gamma", new JsonObject(get("/api/v1/responses/" + id).body()).getString("text"));
  }

  @Test
  void responseOfAClientThatLeftMidStreamIsStoredComplete() throws Exception {
    fake.enqueue(Reply.text("one two three four five six seven eight").eventDelayMs(40));
    try (UsageReports reports = UsageReports.listen(gateway.vertx())) {
      HttpResponse<InputStream> response = postStreaming("/v1/chat/completions", openAiChat("claude-test", true));
      String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
      InputStream body = response.body();
      assertTrue(body.read() >= 0);
      body.close();
      reports.of(id).get(10, TimeUnit.SECONDS);

      JsonObject record = new JsonObject(get("/api/v1/responses/" + id).body());
      assertEquals("completed", record.getString("status"));
      assertEquals("one two three four five six seven eight", record.getString("text"));
      assertEquals(false, record.getBoolean("truncated"));
    }
  }

  @Test
  void streamCutByTheUpstreamIsStoredAsFailedAndTruncated() throws Exception {
    fake.enqueue(Reply.text("a long answer that will be cut").cutAfterEvents(4));
    HttpResponse<String> answer = post("/v1/messages", anthropicChat("claude-test", true));
    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();

    JsonObject record = new JsonObject(get("/api/v1/responses/" + id).body());

    assertEquals("failed", record.getString("status"));
    assertEquals(true, record.getBoolean("truncated"));
    assertNotNull(record.getJsonObject("error"));
  }

  @Test
  void theStoredBodyOfACutStreamClaimsNoNormalStop() throws Exception {
    fake.enqueue(Reply.text("a long answer that will be cut").cutAfterEvents(4), Reply.text("another long answer to cut").cutAfterEvents(4));
    String chat = post("/v1/chat/completions", openAiChat("claude-test", true)).headers().firstValue("x-ensemble-request-id").orElseThrow();
    String messages = post("/v1/messages", anthropicChat("claude-test", true)).headers().firstValue("x-ensemble-request-id").orElseThrow();

    JsonObject chatRecord = new JsonObject(get("/api/v1/responses/" + chat).body());
    JsonObject messagesRecord = new JsonObject(get("/api/v1/responses/" + messages).body());

    assertEquals("failed", chatRecord.getString("status"));
    assertNull(chatRecord.getString("stop_reason"));
    JsonObject choice = chatRecord.getJsonObject("body").getJsonArray("choices").getJsonObject(0);
    assertTrue(choice.containsKey("finish_reason"), choice.encode());
    assertNull(choice.getValue("finish_reason"), "a cut answer did not stop: " + choice.encode());
    assertEquals("failed", messagesRecord.getString("status"));
    JsonObject message = messagesRecord.getJsonObject("body");
    assertTrue(message.containsKey("stop_reason"), message.encode());
    assertNull(message.getValue("stop_reason"), "a cut answer did not reach end_turn: " + message.encode());
  }

  @Test
  void everyAnswerOfAClientRouteCarriesARequestIdEvenBeforeRouting() throws Exception {
    List<HttpResponse<String>> answers = List.of(
        get("/v1/no-such-route"),
        post("/v1/chat/completions", "{not json"),
        post("/v1/messages", anthropicChat("no-such-model", false)),
        get("/api/v1/responses/0000000000aaaaaaaaaaaaaaaa"),
        get("/v1/models"),
        get("/api/v1/health"));

    for (HttpResponse<String> answer : answers) {
      assertTrue(answer.headers().firstValue("x-ensemble-request-id").orElse("").matches("[0-9a-z]{26}"),
          answer.request().uri() + " -> " + answer.statusCode() + " " + answer.headers().map());
    }
    assertEquals(List.of(404, 400, 404, 404, 200, 200), answers.stream().map(HttpResponse::statusCode).toList());
  }

  @Test
  void unknownResponseIdIs404() throws Exception {
    assertEquals(404, get("/api/v1/responses/0000000000aaaaaaaaaaaaaaaa").statusCode());
    assertEquals(404, get("/api/v1/responses/..%2F..%2Fetc%2Fpasswd").statusCode());
  }
}
