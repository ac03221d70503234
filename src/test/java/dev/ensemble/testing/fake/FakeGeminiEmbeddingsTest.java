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

class FakeGeminiEmbeddingsTest {

  @RegisterExtension static FakeGeminiExtension fake = new FakeGeminiExtension();

  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> post(String path, String key, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (key != null) {
      request.header("x-goog-api-key", key);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject content(String text) {
    return new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", text)));
  }

  private static JsonArray expected(String text, int dimensions) {
    JsonArray values = new JsonArray();
    for (float v : GeminiEmbeddingsRoute.vector(text, dimensions)) {
      values.add((double) v);
    }
    return values;
  }

  private static JsonObject error(HttpResponse<String> response) {
    return new JsonObject(response.body()).getJsonObject("error");
  }

  @Test
  void embedsOneTextIntoAVectorDerivedFromItAlone() throws Exception {
    HttpResponse<String> response = post("/v1beta/models/gemini-embedding-001:embedContent", "k",
        new JsonObject().put("content", content("hello")));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals(expected("hello", GeminiEmbeddingsRoute.DEFAULT_DIMENSIONS), body.getJsonObject("embedding").getJsonArray("values"));
    assertFalse(body.containsKey("usageMetadata"), "the Gemini API reports no token counts for embeddings");
  }

  @Test
  void embedsABatchInOrderWithEachRequestsDimensions() throws Exception {
    JsonObject batch = new JsonObject().put("requests", new JsonArray()
        .add(new JsonObject().put("model", "models/gemini-embedding-001").put("content", content("one")).put("outputDimensionality", 3))
        .add(new JsonObject().put("model", "models/gemini-embedding-001").put("content", content("two")).put("outputDimensionality", 3)));

    HttpResponse<String> response = post("/v1beta/models/gemini-embedding-001:batchEmbedContents", "k", batch);

    assertEquals(200, response.statusCode(), response.body());
    JsonArray embeddings = new JsonObject(response.body()).getJsonArray("embeddings");
    assertEquals(2, embeddings.size());
    assertEquals(expected("one", 3), embeddings.getJsonObject(0).getJsonArray("values"));
    assertEquals(expected("two", 3), embeddings.getJsonObject(1).getJsonArray("values"));
  }

  @Test
  void rejectsAMissingContentOrAForeignBatchModelBeforeConsumingTheScript() throws Exception {
    fake.enqueue(Reply.text(""));

    HttpResponse<String> missing = post("/v1beta/models/gemini-embedding-001:embedContent", "k", new JsonObject());
    assertEquals(400, missing.statusCode());
    assertEquals("INVALID_ARGUMENT", error(missing).getString("status"));
    assertTrue(error(missing).getString("message").contains("content"), missing.body());

    HttpResponse<String> mismatch = post("/v1beta/models/gemini-embedding-001:batchEmbedContents", "k", new JsonObject()
        .put("requests", new JsonArray().add(new JsonObject().put("model", "models/other").put("content", content("x")))));
    assertEquals(400, mismatch.statusCode());

    HttpResponse<String> unknown = post("/v1beta/models/gemini-embedding-001:embedContent", "k",
        new JsonObject().put("content", content("x")).put("dimensions", 4));
    assertEquals(400, unknown.statusCode());
    assertTrue(error(unknown).getString("message").contains("Unknown name \"dimensions\""), unknown.body());
    assertEquals(1, fake.server().pendingReplies());
  }

  @Test
  void checksTheKeyAsTheChatRouteDoes() throws Exception {
    fake.server().acceptKeys("good");
    JsonObject body = new JsonObject().put("content", content("x"));

    assertEquals(200, post("/v1beta/models/m:embedContent", "good", body).statusCode());
    HttpResponse<String> bad = post("/v1beta/models/m:embedContent", "bad", body);
    assertEquals(400, bad.statusCode());
    assertEquals("API_KEY_INVALID", error(bad).getJsonArray("details").getJsonObject(0).getString("reason"));
    assertEquals(403, post("/v1beta/models/m:embedContent", null, body).statusCode());
  }

  @Test
  void playsScriptedErrorsInGooglesFormat() throws Exception {
    fake.enqueue(GeminiReply.error(429, "RESOURCE_EXHAUSTED", "Quota exceeded").retryDelay("7s"));

    HttpResponse<String> response = post("/v1beta/models/m:embedContent", "k", new JsonObject().put("content", content("x")));

    assertEquals(429, response.statusCode());
    JsonObject error = error(response);
    assertEquals("RESOURCE_EXHAUSTED", error.getString("status"));
    assertTrue(error.getJsonArray("details").stream().anyMatch(d -> "7s".equals(((JsonObject) d).getValue("retryDelay"))), response.body());
  }
}
