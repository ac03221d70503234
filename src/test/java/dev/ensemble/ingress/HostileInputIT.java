package dev.ensemble.ingress;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.FakeVertexExtension;
import dev.ensemble.testing.fake.ServiceAccountKey;
import dev.ensemble.testing.gateway.GatewayExtension;
import dev.ensemble.testing.gateway.RawHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed and hostile requests against a real node: each gets a clear 4xx in the caller's format, nothing
 * reaches an upstream that should not, nothing the JSON library says leaks into a message. Providers {@code gem}
 * (Gemini), {@code vtx} (Vertex AI) and {@code br} (Bedrock, pointed at the fake Gemini so any call it made
 * would be recorded there) put the model id in the upstream URL; {@code oai} and {@code ant} (the fake
 * upstream) carry it in the body.
 */
class HostileInputIT {

  private static final String ADMIN_KEY = "admin-hostile-0123456789";

  @RegisterExtension @Order(1) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(2) static FakeVertexExtension vertex = new FakeVertexExtension();
  @RegisterExtension @Order(3) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(4) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> {
    ServiceAccountKey account = vertex.oauth().newAccount("hostile", "proj-hostile");
    return """
        server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, admin_key: %s }
        responses: { local_dir: %s }
        providers:
          gem:
            type: gemini
            base_url: %s
            keys: [ { name: a, api_key: AIza-test-hostile-key, endpoints: [ { id: gem-1 } ] } ]
          vtx:
            type: vertex
            keys: [ { name: v, api_key: '%s', endpoints: [ { id: vtx-1, region: us-east5, base_url: %s } ] } ]
          br:
            type: bedrock
            base_url: %s
            keys: [ { name: b, api_key: "AKIDHOSTILE:secret", endpoints: [ { id: br-1, region: us-east-1 } ] } ]
          oai:
            type: openai
            base_url: %s
            keys: [ { name: o, api_key: sk-hostile-0001, endpoints: [ { id: oai-1 } ] } ]
          ant:
            type: anthropic
            base_url: %s
            keys: [ { name: a, api_key: sk-ant-hostile-0002, endpoints: [ { id: ant-1 } ] } ]
        models:
          gem-test: { providers: [ { provider: gem, model: gemini-2.5-flash } ] }
          gpt-test: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
          claude-test: { providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ] }
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"), gemini.baseUrl(), account.json(), vertex.baseUrl(),
        gemini.baseUrl(), f.openAiBaseUrl(), f.baseUrl());
  });

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  // --- 1. values that would go into an upstream URL -------------------------------------------------------

  @Test
  void modelIdsThatWouldReshapeAnUpstreamUrlAre400NamingModelAndAreSentNowhere() throws Exception {
    List<String> hostile = List.of("gem/../../../evil", "gem/x?alt=sse&key=injected#", "gem/has space", "gem/cr\r\nlf",
        "gem/models/../../x", "gem/" + "g".repeat(60_000), "vtx/../../../evil", "vtx/claude@x/../y", "br/model id",
        "br/..", "oai/gpt\r\nx", "ant/claude sonnet");
    for (String model : hostile) {
      HttpResponse<String> response = post("/v1/chat/completions", chat(model).encode());

      assertEquals(400, response.statusCode(), model.substring(0, Math.min(40, model.length())) + " -> " + response.body());
      JsonObject error = new JsonObject(response.body()).getJsonObject("error");
      assertEquals("model", error.getString("param"), response.body());
      assertTrue(error.getString("message").length() < 400, "the id is not echoed in full: " + error.getString("message").length());
    }
    HttpResponse<String> anthropic = post("/v1/messages", new JsonObject().put("model", "gem/../evil").put("max_tokens", 16)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).encode());
    assertEquals(400, anthropic.statusCode());
    assertEquals("invalid_request_error", new JsonObject(anthropic.body()).getJsonObject("error").getString("type"));
    assertEquals(0, gemini.requestCount(), "nothing reached Gemini (nor Bedrock, pointed at the same fake)");
    assertEquals(0, vertex.requestCount());
    assertEquals(0, fake.requestCount());
  }

  @Test
  void aModelIdOfTheProvidersAlphabetStillReachesItAsOnePathSegment() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", chat("gem/gemini-2.5-flash-lite").encode());

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("/v1beta/models/gemini-2.5-flash-lite:generateContent", gemini.lastRequest().path());
  }

  // --- 3. bad query parameters ----------------------------------------------------------------------------

  @Test
  void usageWithAnInstantOutOfRangeOrABadEscapeIs400NamingTheParameter() throws Exception {
    HttpResponse<String> farPast = admin("/admin/usage?from=-999999999-01-01T00:00:00Z");
    HttpResponse<String> farFuture = admin("/admin/usage?to=%2B999999999-01-01T00:00:00Z");
    RawHttp.Response badEscape = RawHttp.exchange(gateway.port(), "GET /admin/usage?%zz=1 HTTP/1.1\r\nHost: x\r\n"
        + "Authorization: Bearer " + ADMIN_KEY + "\r\n\r\n");
    RawHttp.Response badValue = RawHttp.exchange(gateway.port(), "GET /admin/usage?group_by=model%G1 HTTP/1.1\r\nHost: x\r\n"
        + "Authorization: Bearer " + ADMIN_KEY + "\r\n\r\n");

    assertEquals(400, farPast.statusCode(), farPast.body());
    assertEquals("from", new JsonObject(farPast.body()).getJsonObject("error").getString("param"));
    assertEquals(400, farFuture.statusCode(), farFuture.body());
    assertEquals("to", new JsonObject(farFuture.body()).getJsonObject("error").getString("param"));
    assertEquals(400, badEscape.status(), badEscape.body());
    assertEquals("%zz", badEscape.json().getJsonObject("error").getString("param"));
    assertEquals(400, badValue.status(), badValue.body());
    assertEquals("group_by", badValue.json().getJsonObject("error").getString("param"));
  }

  @Test
  void aBadEscapeInAQueryOnAChatRouteIsJsonInTheRoutesFormat() throws Exception {
    String body = chat("claude-test").put("max_tokens", 8).encode();
    RawHttp.Response response = RawHttp.exchange(gateway.port(), "POST /v1/messages?beta=% HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);

    assertEquals(400, response.status(), response.body());
    assertEquals("error", response.json().getString("type"), "Anthropic's error shape");
  }

  // --- 4. content types -----------------------------------------------------------------------------------

  @Test
  void jsonSentAsAFormOrMultipartIsReadAsJsonWhateverItsSize() throws Exception {
    for (int size : new int[] {100, 1_024, 1_025, 4_000, 40_000}) {
      String body = chat("gpt-test", "x".repeat(size)).encode();
      for (String type : List.of("application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/plain")) {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(10)).header("content-type", type).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), size + " bytes as " + type + ": " + response.body());
      }
    }
  }

  @Test
  void aCompressedBodyIs415() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").header("content-encoding", "gzip")
        .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(chat("gpt-test").encode()))).build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(415, response.statusCode(), response.body());
    assertTrue(new JsonObject(response.body()).getJsonObject("error").getString("message").contains("Content-Encoding"), response.body());
    assertEquals(0, fake.requestCount());
  }

  // --- 5. heads the HTTP decoder refuses -------------------------------------------------------------------

  @Test
  void headersTooLargeAre431InJson() throws Exception {
    RawHttp.Response response = RawHttp.exchange(gateway.port(), "GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Big: "
        + "a".repeat(20_000) + "\r\n\r\n");

    assertEquals(431, response.status());
    assertOpenAiError(response);
  }

  @Test
  void aRequestLineTooLongIs414InJson() throws Exception {
    RawHttp.Response response = RawHttp.exchange(gateway.port(), "GET /v1/models?q=" + "a".repeat(70_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

    assertEquals(414, response.status());
    assertOpenAiError(response);
  }

  @Test
  void aMalformedRequestLineIs400InJson() throws Exception {
    RawHttp.Response response = RawHttp.exchange(gateway.port(), "GARBAGE\r\n\r\n");

    assertEquals(400, response.status(), response.body());
    assertOpenAiError(response);
  }

  @Test
  void aBadEscapeInThePathIs400InJson() throws Exception {
    RawHttp.Response response = RawHttp.exchange(gateway.port(), "GET /v1/mo%zzdels HTTP/1.1\r\nHost: x\r\n\r\n");

    assertEquals(400, response.status(), response.body());
    assertOpenAiError(response);
  }

  @Test
  void anHttp2RequestLineOnHttp1IsAnErrorInJson() throws Exception {
    RawHttp.Response response = RawHttp.exchange(gateway.port(), "GET /v1/models HTTP/2.0\r\nHost: x\r\n\r\n");

    assertTrue(response.status() >= 400 && response.status() < 600, "status " + response.status());
    assertOpenAiError(response);
  }

  // --- 6. broken chunked bodies ----------------------------------------------------------------------------

  @Test
  void aBrokenChunkedBodyIs400AndLogsNoStackTrace() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    log.start();
    root.addAppender(log);
    try {
      for (String chunks : List.of("zz\r\n{}\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n")) {
        RawHttp.Response response = RawHttp.exchange(gateway.port(), "POST /v1/messages HTTP/1.1\r\nHost: x\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks);

        assertEquals(400, response.status(), response.body());
        assertEquals("error", response.json().getString("type"), "Anthropic's error shape on /v1/messages");
      }
      assertEquals(200, post("/v1/chat/completions", chat("gpt-test").encode()).statusCode(), "the node serves on");
    } finally {
      root.detachAppender(log);
    }
    List<ILoggingEvent> noisy = log.list.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN) || e.getThrowableProxy() != null)
        .filter(e -> !e.getLoggerName().startsWith("io.micrometer"))
        .toList();
    assertTrue(noisy.isEmpty(), noisy.toString());
  }

  // --- 7. the JSON library's words -------------------------------------------------------------------------

  @Test
  void invalidJsonIsExplainedInTheCallersTerms() throws Exception {
    assertMessage(post("/v1/chat/completions", "{\"model\":\"gpt-test\",\"temperature\":NaN,\"messages\":[]}"), "NaN");
    assertMessage(post("/v1/chat/completions", "{\"model\":\"gpt-test\",\"messages\":[],\"x\":" + "[".repeat(2_000)), "nested too deeply");
    assertMessage(post("/v1/chat/completions", "{\"model\":\"gpt-test\", /* hi */ \"messages\":[]}"), "comments");
    assertMessage(post("/v1/chat/completions", "{\"model\":\"gpt-test\",\"messages\":[],}"), "line 1");
    assertMessage(post("/v1/chat/completions", "{\"model\":\"gpt-test\",\"messages\":[{\"role\":\"user\",\"content\":\"\\ud800\"}]}"),
        "messages[0].content");
    HttpResponse<String> utf16 = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json; charset=utf-16")
        .POST(HttpRequest.BodyPublishers.ofByteArray(chat("gpt-test").encode().getBytes(StandardCharsets.UTF_16))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertMessage(utf16, "UTF-8");
    assertEquals(0, fake.requestCount());
  }

  private static void assertMessage(HttpResponse<String> response, String expected) {
    assertEquals(400, response.statusCode(), response.body());
    String message = new JsonObject(response.body()).getJsonObject("error").getString("message");
    assertTrue(message.contains(expected), message);
    for (String leak : List.of("JsonReadFeature", "StreamReadConstraints", "jackson", "Jackson", "`", "Exception")) {
      assertFalse(message.contains(leak), message);
    }
  }

  // --- 9. values each format's API refuses ------------------------------------------------------------------

  @Test
  void valuesTheRealApisRefuseAre400NamingTheField() throws Exception {
    assertParam(post("/v1/chat/completions", chat("gpt-test").put("n", 0).encode()), "n");
    assertParam(post("/v1/chat/completions", chat("gpt-test").put("n", -1).encode()), "n");
    assertParam(post("/v1/chat/completions", chat("gpt-test").put("temperature", 2.5).encode()), "temperature");
    assertParam(post("/v1/messages", chat("claude-test").put("max_tokens", 16).put("temperature", 1.5).encode()), "temperature");
    assertParam(post("/v1/messages", chat("claude-test").put("max_tokens", 16).put("top_k", -1).encode()), "top_k");

    JsonObject badImage = new JsonObject().put("model", "gpt-test").put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "image_url")
            .put("image_url", new JsonObject().put("url", "data:image/png;base64,not base64!!"))))));
    assertParam(post("/v1/chat/completions", badImage.encode()), "messages[0].content[0].image_url.url");
    JsonObject badAnthropicImage = new JsonObject().put("model", "claude-test").put("max_tokens", 16)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", new JsonArray().add(new JsonObject()
            .put("type", "image").put("source", new JsonObject().put("type", "base64").put("media_type", "image/png").put("data", "%%%%"))))));
    HttpResponse<String> anthropic = post("/v1/messages", badAnthropicImage.encode());
    assertEquals(400, anthropic.statusCode(), anthropic.body());
    assertTrue(new JsonObject(anthropic.body()).getJsonObject("error").getString("message").contains("messages[0].content[0].source.data"),
        anthropic.body());

    assertParam(post("/v1/images/generations", image("dall-e-3").put("size", "999x999").encode()), "size");
    assertParam(post("/v1/images/generations", image("dall-e-3").put("quality", "ultra").encode()), "quality");
    assertParam(post("/v1/images/generations", image("dall-e-2").put("style", "vivid").encode()), "style");
    assertParam(post("/v1/images/generations", image("gpt-image-1").put("size", "1792x1024").encode()), "size");
    assertParam(post("/v1/images/generations", image("some-image-model").put("style", "sketchy").encode()), "style");
    assertEquals(0, fake.requestCount());
  }

  /** OpenAI's errors name the field in {@code param}, Anthropic's at the start of the message. */
  private static void assertParam(HttpResponse<String> response, String param) {
    assertEquals(400, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    if (error.containsKey("param")) {
      assertEquals(param, error.getString("param"), response.body());
    } else {
      assertTrue(error.getString("message").startsWith(param + ":"), response.body());
    }
  }

  private static JsonObject image(String model) {
    return new JsonObject().put("model", model).put("prompt", "a lighthouse at dusk");
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  private static void assertOpenAiError(RawHttp.Response response) {
    assertTrue(String.valueOf(response.header("content-type")).startsWith("application/json"), response.headers().toString());
    JsonObject error = response.json().getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"), response.body());
    assertFalse(error.getString("message").isBlank());
  }

  private static JsonObject chat(String model) {
    return chat(model, "hi");
  }

  private static JsonObject chat(String model, String text) {
    return new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text)));
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + pathAndQuery)).timeout(Duration.ofSeconds(10))
        .header("authorization", "Bearer " + ADMIN_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static byte[] gzip(String text) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream zip = new java.util.zip.GZIPOutputStream(out)) {
      zip.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return out.toByteArray();
  }
}
