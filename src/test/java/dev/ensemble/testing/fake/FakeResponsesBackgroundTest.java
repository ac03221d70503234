package dev.ensemble.testing.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fake's background mode of OpenAI's Responses API: queued, polled to completion, cancelled; stored responses read back. */
@ExtendWith(VertxExtension.class)
class FakeResponsesBackgroundTest {

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private HttpClient client;

  @BeforeEach
  void createClient(Vertx vertx) {
    client = vertx.createHttpClient();
  }

  @Test
  void backgroundResponseIsQueuedThenInProgressThenCompletedWithUsage() throws Exception {
    fake.server().backgroundPolls(2);
    Answer created = call(HttpMethod.POST, "/v1/responses", "k1", background("Hello"));
    assertEquals(200, created.status);
    assertEquals("queued", created.json.getString("status"));
    assertEquals(true, created.json.getBoolean("background"));
    assertNull(created.json.getValue("usage"));
    String id = created.json.getString("id");

    assertEquals("in_progress", call(HttpMethod.GET, "/v1/responses/" + id, "k1", null).json.getString("status"));
    assertEquals("in_progress", call(HttpMethod.GET, "/v1/responses/" + id, "k1", null).json.getString("status"));
    Answer done = call(HttpMethod.GET, "/v1/responses/" + id, "k1", null);
    assertEquals("completed", done.json.getString("status"));
    assertEquals("echo: Hello", done.json.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"));
    assertTrue(done.json.getJsonObject("usage").getInteger("output_tokens") > 0);
    assertEquals(done.json, call(HttpMethod.GET, "/v1/responses/" + id, "k1", null).json);
  }

  @Test
  void cancelStopsAnUnfinishedBackgroundResponseAndIsHarmlessTwice() throws Exception {
    String id = call(HttpMethod.POST, "/v1/responses", "k1", background("Hi")).json.getString("id");
    Answer cancelled = call(HttpMethod.POST, "/v1/responses/" + id + "/cancel", "k1", null);
    assertEquals(200, cancelled.status);
    assertEquals("cancelled", cancelled.json.getString("status"));
    assertEquals("cancelled", call(HttpMethod.POST, "/v1/responses/" + id + "/cancel", "k1", null).json.getString("status"));
    assertEquals("cancelled", call(HttpMethod.GET, "/v1/responses/" + id, "k1", null).json.getString("status"));
  }

  @Test
  void anotherKeyOrAnUnknownIdIsNotFound() throws Exception {
    String id = call(HttpMethod.POST, "/v1/responses", "k1", background("Hi")).json.getString("id");
    Answer foreign = call(HttpMethod.GET, "/v1/responses/" + id, "k2", null);
    assertEquals(404, foreign.status);
    assertEquals("Response with id '" + id + "' not found.", foreign.json.getJsonObject("error").getString("message"));
    assertEquals(404, call(HttpMethod.POST, "/v1/responses/resp_nope/cancel", "k1", null).status);
  }

  @Test
  void aSynchronousResponseCannotBeCancelledAndBackgroundNeedsStore() throws Exception {
    Answer sync = call(HttpMethod.POST, "/v1/responses", "k1", new JsonObject().put("model", "gpt-5").put("input", "Hi"));
    assertEquals("completed", sync.json.getString("status"));
    String id = sync.json.getString("id");
    assertEquals(sync.json, call(HttpMethod.GET, "/v1/responses/" + id, "k1", null).json);
    Answer refused = call(HttpMethod.POST, "/v1/responses/" + id + "/cancel", "k1", null);
    assertEquals(400, refused.status);
    assertEquals("Cannot cancel a synchronous response.", refused.json.getJsonObject("error").getString("message"));

    Answer unstored = call(HttpMethod.POST, "/v1/responses", "k1", background("Hi").put("store", false));
    assertEquals(400, unstored.status);
    assertEquals("store", unstored.json.getJsonObject("error").getString("param"));
  }

  private static JsonObject background(String text) {
    return new JsonObject().put("model", "gpt-5").put("input", text).put("background", true);
  }

  private Answer call(HttpMethod method, String path, String key, JsonObject body) throws Exception {
    return client.request(new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(fake.port()).setURI(path))
        .compose(request -> {
          request.putHeader("authorization", "Bearer " + key).putHeader("content-type", "application/json");
          return (body == null ? request.send() : request.send(body.encode())).compose(response -> response.body()
              .map(buffer -> new Answer(response.statusCode(), buffer.toJsonObject())));
        }).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private record Answer(int status, JsonObject json) {
  }
}
