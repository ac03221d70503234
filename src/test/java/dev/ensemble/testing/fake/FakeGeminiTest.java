package dev.ensemble.testing.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FakeGeminiTest {

  @RegisterExtension static FakeGeminiExtension fake = new FakeGeminiExtension();

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(String pathAndQuery, String key, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.baseUrl() + pathAndQuery))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (key != null) {
      request.header("x-goog-api-key", key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static final String HELLO = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hello\"}]}]}";

  @Test
  void echoesTheLastUserTurnWithUsageMetadata() throws Exception {
    HttpResponse<String> response = post("/v1beta/models/gemini-2.5-flash:generateContent", "k1", HELLO);

    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    JsonObject candidate = body.getJsonArray("candidates").getJsonObject(0);
    assertEquals("echo: hello", candidate.getJsonObject("content").getJsonArray("parts").getJsonObject(0).getString("text"));
    assertEquals("STOP", candidate.getString("finishReason"));
    assertEquals("gemini-2.5-flash", body.getString("modelVersion"));
    assertTrue(body.getJsonObject("usageMetadata").getInteger("promptTokenCount") > 0);
  }

  @Test
  void takesTheKeyFromTheQueryAndRejectsUnknownOrMissingKeysAsGoogleDoes() throws Exception {
    fake.server().acceptKeys("good");

    assertEquals(200, post("/v1beta/models/m:generateContent?key=good", null, HELLO).statusCode());
    HttpResponse<String> bad = post("/v1beta/models/m:generateContent", "bad", HELLO);
    assertEquals(400, bad.statusCode());
    JsonObject error = new JsonObject(bad.body()).getJsonObject("error");
    assertEquals("INVALID_ARGUMENT", error.getString("status"));
    assertEquals("API_KEY_INVALID", error.getJsonArray("details").getJsonObject(0).getString("reason"));
    assertEquals(403, post("/v1beta/models/m:generateContent", null, HELLO).statusCode());
    assertEquals(3, fake.requestCount(), "rejected requests are recorded too");
  }

  @Test
  void rejectsJsonSchemaKeysGeminiDoesNotKnow() throws Exception {
    String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"x\"}]}],\"tools\":[{\"functionDeclarations\":"
        + "[{\"name\":\"f\",\"parameters\":{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":{\"type\":\"string\"}}}}]}]}";

    HttpResponse<String> response = post("/v1beta/models/m:generateContent", "k", body);

    assertEquals(400, response.statusCode());
    assertTrue(response.body().contains("Unknown name \\\"additionalProperties\\\""), response.body());
  }

  @Test
  void rejectsAFunctionResponseThatAnswersNoCall() throws Exception {
    String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"f\",\"response\":{}}}]}]}";

    assertEquals(400, post("/v1beta/models/m:generateContent", "k", body).statusCode());
  }

  @Test
  void streamsSseFramesWithTheFinishReasonAndRetryInfoOnScriptedErrors() throws Exception {
    fake.enqueue(Reply.toolCall("f", "{\"a\":1}").withText("Calling f."));
    HttpResponse<String> stream = post("/v1beta/models/m:streamGenerateContent?alt=sse", "k", HELLO);

    assertEquals("text/event-stream", stream.headers().firstValue("content-type").orElseThrow());
    String[] frames = stream.body().split("\r\n\r\n");
    JsonObject last = new JsonObject(frames[frames.length - 1].substring("data: ".length()));
    JsonObject candidate = last.getJsonArray("candidates").getJsonObject(0);
    assertEquals("STOP", candidate.getString("finishReason"));
    assertEquals(new JsonObject("{\"name\":\"f\",\"args\":{\"a\":1}}"),
        candidate.getJsonObject("content").getJsonArray("parts").getJsonObject(0).getJsonObject("functionCall"));

    fake.enqueue(GeminiReply.error(429, "rate_limit_error", "quota").retryDelay("3s"));
    JsonObject error = new JsonObject(post("/v1beta/models/m:generateContent", "k", HELLO).body()).getJsonObject("error");
    assertEquals("RESOURCE_EXHAUSTED", error.getString("status"));
    JsonArray details = error.getJsonArray("details");
    assertEquals("3s", details.getJsonObject(details.size() - 1).getString("retryDelay"));
  }

  @Test
  void streamsWithoutAltSseAsOneJsonArray() throws Exception {
    fake.enqueue(Reply.text("a b"));
    HttpResponse<String> response = post("/v1beta/models/m:streamGenerateContent", "k", HELLO);

    JsonArray chunks = new JsonArray(response.body());
    assertEquals(2, chunks.size());
    assertFalse(chunks.getJsonObject(0).getJsonArray("candidates").getJsonObject(0).containsKey("finishReason"));
  }
}
