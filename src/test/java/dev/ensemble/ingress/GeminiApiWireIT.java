package dev.ensemble.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Gemini's {@code generateContent} on the wire: the JSON-array stream without {@code alt=sse}, SSE frames with it,
 * a mid-stream failure as a last {@code {"error":...}} chunk, the gateway key in {@code x-goog-api-key} or
 * {@code ?key=}, inline data reaching another format's upstream, and errors in Google's format with the canonical
 * status naming the field.
 */
class GeminiApiWireIT {

  private static final String ADMIN_KEY = "adm-gemini-wire-0001";
  private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake,
      f -> GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, "require_client_keys: true"));

  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static String key;

  @BeforeAll
  static void client() {
    key = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "gemini-wire")).getString("key");
  }

  @Test
  void listsAndGetsTheCatalogsModelsAsGoogleDoesWithTheKeyInItsPlaces() throws Exception {
    HttpResponse<String> list = get("/v1beta/models", "x-goog-api-key", key);
    HttpResponse<String> one = get("/v1beta/models/claude-test?key=" + key);
    HttpResponse<String> missing = get("/v1beta/models/no-such-model", "x-goog-api-key", key);
    HttpResponse<String> anonymous = get("/v1beta/models");

    assertEquals(200, list.statusCode(), list.body());
    List<String> names = new JsonObject(list.body()).getJsonArray("models").stream().map(m -> ((JsonObject) m).getString("name")).toList();
    assertTrue(names.containsAll(List.of("models/claude-test", "models/gpt-test")), names.toString());
    assertEquals(200, one.statusCode(), one.body());
    JsonObject model = new JsonObject(one.body());
    assertEquals("models/claude-test", model.getString("name"));
    assertTrue(model.getJsonArray("supportedGenerationMethods").contains("generateContent"), model.encode());
    assertEquals(404, missing.statusCode(), missing.body());
    assertEquals("NOT_FOUND", new JsonObject(missing.body()).getJsonObject("error").getString("status"));
    assertEquals(401, anonymous.statusCode(), anonymous.body());
    assertEquals("UNAUTHENTICATED", new JsonObject(anonymous.body()).getJsonObject("error").getString("status"));
  }

  private static HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void streamsAJsonArrayWithoutAltSse() throws Exception {
    HttpResponse<String> response = post("/v1beta/models/claude-test:streamGenerateContent", question("Hello there"), true);

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
    JsonArray chunks = new JsonArray(response.body());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < chunks.size(); i++) {
      JsonObject candidate = chunks.getJsonObject(i).getJsonArray("candidates").getJsonObject(0);
      candidate.getJsonObject("content").getJsonArray("parts").forEach(p -> text.append(((JsonObject) p).getString("text", "")));
    }
    assertEquals("echo: Hello there", text.toString());
    JsonObject last = chunks.getJsonObject(chunks.size() - 1);
    assertEquals("STOP", last.getJsonArray("candidates").getJsonObject(0).getString("finishReason"));
    assertTrue(last.getJsonObject("usageMetadata").getLong("totalTokenCount") > 0);
  }

  @Test
  void streamsSseFramesWithAltSseAndTheKeyInTheQuery() throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/v1beta/models/gpt-test:streamGenerateContent?alt=sse&key=" + key))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(question("Hi").encode())).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
    List<JsonObject> frames = frames(response.body());
    assertTrue(frames.size() > 2, response.body());
    assertEquals("STOP", frames.get(frames.size() - 1).getJsonArray("candidates").getJsonObject(0).getString("finishReason"));
  }

  @Test
  void aFailureMidStreamIsALastErrorChunk() throws Exception {
    fake.enqueue(Reply.text("partial answer here").midStreamError(3, "overloaded_error", "Overloaded"),
        Reply.text("partial answer here").midStreamError(3, "overloaded_error", "Overloaded"));

    List<JsonObject> frames = frames(post("/v1beta/models/claude-test:streamGenerateContent?alt=sse", question("Story"), true).body());
    JsonObject error = frames.get(frames.size() - 1).getJsonObject("error");
    assertEquals("UNAVAILABLE", error.getString("status"), error.encode());
    assertTrue(error.getString("message").contains("Overloaded"), error.encode());

    JsonArray chunks = new JsonArray(post("/v1beta/models/claude-test:streamGenerateContent", question("Story"), true).body());
    assertTrue(chunks.getJsonObject(chunks.size() - 1).containsKey("error"), "the array still closes: " + chunks.encode());
  }

  @Test
  void inlineDataReachesAnotherFormatsUpstream() throws Exception {
    JsonObject body = new JsonObject().put("contents", new JsonArray().add(new JsonObject().put("role", "user").put("parts", new JsonArray()
        .add(new JsonObject().put("text", "What is this?"))
        .add(new JsonObject().put("inlineData", new JsonObject().put("mimeType", "image/png").put("data", PNG))))))
        .put("generationConfig", new JsonObject().put("temperature", 0.2).put("maxOutputTokens", 100).put("stopSequences", new JsonArray().add("END")));

    HttpResponse<String> response = post("/v1beta/models/claude-test:generateContent", body, true);

    assertEquals(200, response.statusCode(), response.body());
    JsonObject upstream = fake.lastRequest().json();
    JsonObject image = upstream.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertEquals("image", image.getString("type"));
    assertEquals(PNG, image.getJsonObject("source").getString("data"));
    assertEquals(100, upstream.getInteger("max_tokens"));
    assertEquals(new JsonArray().add("END"), upstream.getJsonArray("stop_sequences"));
  }

  @Test
  void errorsAreInGooglesFormatNamingTheField() throws Exception {
    assertGoogleError(post("/v1beta/models/gpt-test:generateContent", new JsonObject(), true), 400, "INVALID_ARGUMENT", "contents");
    assertGoogleError(post("/v1beta/models/gpt-test:generateContent", question("hi").put("tools", new JsonArray()
        .add(new JsonObject().put("googleSearch", new JsonObject()))), true), 400, "INVALID_ARGUMENT", "tools[0].googleSearch");
    assertGoogleError(post("/v1beta/models/gpt-test:generateContent", question("hi"), false), 401, "UNAUTHENTICATED", "key");
    assertGoogleError(post("/v1beta/models/no-such-model:generateContent", question("hi"), true), 404, "NOT_FOUND", "no-such-model");
    assertGoogleError(post("/v1beta/models/gpt-test:predict", question("hi"), true), 404, "NOT_FOUND", "generateContent");
    assertEquals(0, fake.requestCount());
  }

  private static void assertGoogleError(HttpResponse<String> response, int code, String status, String mentioned) {
    assertEquals(code, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals(code, error.getInteger("code"));
    assertEquals(status, error.getString("status"));
    assertTrue(error.getString("message").contains(mentioned), error.encode());
  }

  private static JsonObject question(String text) {
    return new JsonObject().put("contents", new JsonArray().add(new JsonObject().put("role", "user")
        .put("parts", new JsonArray().add(new JsonObject().put("text", text)))));
  }

  private static List<JsonObject> frames(String body) {
    List<JsonObject> frames = new ArrayList<>();
    for (String line : body.split("\r?\n")) {
      if (line.startsWith("data: ")) {
        frames.add(new JsonObject(line.substring(6)));
      }
    }
    return frames;
  }

  private static HttpResponse<String> post(String path, JsonObject body, boolean withKey) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (withKey) {
      request.header("x-goog-api-key", key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create(gateway.baseUrl() + path);
  }
}
