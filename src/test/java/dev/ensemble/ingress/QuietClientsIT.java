package dev.ensemble.ingress;

import dev.ensemble.testing.OnLoop;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client waiting for its answer sends nothing, and {@code server.header_read_timeout_ms} does not hold that against
 * it: with a header read timeout of 1 s, an answer that takes 3 s to come (a reasoning model thinking) and a stream
 * silent for 3 s between events (the providers allowed 5 s) reach the client whole, over HTTP/1.1, over h2c with
 * prior knowledge and over h2c after an HTTP/1.1 {@code Upgrade}. An h2c connection that has sent its preface is an
 * established HTTP/2 connection: the header read timeout does not close it either (without streams,
 * {@code server.idle_timeout_ms} does: {@link Http2IdleConnectionsIT}).
 */
@ExtendWith(VertxExtension.class)
class QuietClientsIT {

  private static final long QUIET_MS = 3000;

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> GatewayExtension.standardConfig(f)
      .replace("server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }",
          "server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, header_read_timeout_ms: 1000, idle_timeout_ms: 10000 }")
      .replace("timeout_ms: 4000\n    first_byte_timeout_ms: 1500\n    idle_timeout_ms: 1000",
          "timeout_ms: 10000\n    first_byte_timeout_ms: 5000\n    idle_timeout_ms: 5000"));

  @Test
  void anHttp1ClientGetsAnAnswerSlowerThanTheHeaderReadTimeout(Vertx vertx, VertxTestContext test) {
    fake.enqueue(Reply.text("thought long").latencyMs(QUIET_MS));
    OnLoop.call(vertx, () -> chat(client(vertx, HttpVersion.HTTP_1_1, false), false))
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertEquals(HttpVersion.HTTP_1_1, answer.version);
          assertAnswer(answer, false);
          test.completeNow();
        })));
  }

  @Test
  void anH2cClientGetsAnAnswerSlowerThanTheHeaderReadTimeout(Vertx vertx, VertxTestContext test) {
    fake.enqueue(Reply.text("thought long").latencyMs(QUIET_MS));
    OnLoop.call(vertx, () -> chat(client(vertx, HttpVersion.HTTP_2, false), false))
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertEquals(HttpVersion.HTTP_2, answer.version);
          assertAnswer(answer, false);
          test.completeNow();
        })));
  }

  @Test
  void anH2cClientGetsAStreamSilentBetweenEventsLongerThanTheHeaderReadTimeout(Vertx vertx, VertxTestContext test) {
    fake.enqueue(Reply.text("one two three").eventDelayMs(QUIET_MS));
    OnLoop.call(vertx, () -> chat(client(vertx, HttpVersion.HTTP_2, false), true))
        .onComplete(test.succeeding(answer -> test.verify(() -> {
          assertEquals(HttpVersion.HTTP_2, answer.version);
          assertAnswer(answer, true);
          test.completeNow();
        })));
  }

  @Test
  void anH2cUpgradedClientGetsSlowAndSilentAnswersOnItsUpgradedConnection(Vertx vertx, VertxTestContext test) {
    fake.enqueue(Reply.text("thought long").latencyMs(QUIET_MS));
    fake.enqueue(Reply.text("one two three").eventDelayMs(QUIET_MS));
    HttpClientAgent client = client(vertx, HttpVersion.HTTP_2, true);
    OnLoop.call(vertx, () -> client.request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/api/v1/health"))
            .compose(request -> request.send().compose(HttpClientResponse::body))
            .compose(upgraded -> chat(client, false))
            .compose(slow -> {
              test.verify(() -> {
                assertEquals(HttpVersion.HTTP_2, slow.version, "the connection was upgraded to h2c");
                assertAnswer(slow, false);
              });
              return chat(client, true);
            }))
        .onComplete(test.succeeding(streamed -> test.verify(() -> {
          assertEquals(HttpVersion.HTTP_2, streamed.version);
          assertAnswer(streamed, true);
          test.completeNow();
        })));
  }

  @Test
  void anH2cConnectionQuietAfterItsPrefaceLongerThanTheHeaderReadTimeoutStillServes(Vertx vertx, VertxTestContext test) {
    HttpClientAgent client = client(vertx, HttpVersion.HTTP_2, false);
    OnLoop.call(vertx, () -> client.connect(new HttpConnectOptions().setHost("127.0.0.1").setPort(gateway.port()))
            .compose(connection -> {
              connection.closeHandler(v -> test.verify(() -> assertTrue(false, "the connection was closed before its first request")));
              return Future.<Void>future(waited -> vertx.setTimer(QUIET_MS, t -> waited.complete()))
                  .compose(v -> connection.request(new RequestOptions().setURI("/api/v1/health")))
                  .compose(request -> request.send())
                  .compose(response -> response.body().map(body -> response.statusCode()))
                  .andThen(served -> connection.closeHandler(null));
            }))
        .onComplete(test.succeeding(status -> test.verify(() -> {
          assertEquals(200, status);
          test.completeNow();
        })));
  }

  private record Answer(HttpVersion version, int status, String body) {
  }

  private static void assertAnswer(Answer answer, boolean streamed) {
    assertEquals(200, answer.status, answer.body);
    if (streamed) {
      assertTrue(answer.body.contains("three") && answer.body.contains("data: [DONE]"), answer.body);
    } else {
      assertEquals("thought long", new JsonObject(answer.body).getJsonArray("choices").getJsonObject(0)
          .getJsonObject("message").getString("content"), answer.body);
    }
  }

  private static Future<Answer> chat(HttpClientAgent client, boolean stream) {
    String body = new JsonObject().put("model", "gpt-test").put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "think"))).encode();
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(request -> request.send(Buffer.buffer(body)))
        .compose(response -> response.body().map(answer -> new Answer(response.version(), response.statusCode(), answer.toString())));
  }

  private static HttpClientAgent client(Vertx vertx, HttpVersion version, boolean upgrade) {
    return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(version).setHttp2ClearTextUpgrade(upgrade));
  }
}
