package dev.ensemble.ingress;

import dev.ensemble.testing.OnLoop;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
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

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * h2c clients cannot hold idle connections either: with {@code server.idle_timeout_ms: 1000} the node closes an
 * HTTP/2 connection once it has had no open stream for a second, but never one that carries a stream, however
 * long the stream runs, nor one whose client keeps sending requests on it (however long it does), which it closes
 * a second after the last of them ended.
 */
@ExtendWith(VertxExtension.class)
class Http2IdleConnectionsIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> GatewayExtension.standardConfig(f)
      .replace("server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }",
          "server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, idle_timeout_ms: 1000 }"));

  @Test
  void anHttp2ConnectionWithoutOpenStreamsIsClosedAfterTheIdleTimeout(Vertx vertx, VertxTestContext test) {
    OnLoop.call(vertx, () -> priorKnowledgeClient(vertx)
        .request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/api/v1/health"))
        .compose(request -> request.send())
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(HttpVersion.HTTP_2, response.version());
          assertEquals(200, response.statusCode());
          response.request().connection().closeHandler(v -> test.completeNow());
        }))));
  }

  @Test
  void anHttp2ConnectionCarryingAStreamLongerThanTheIdleTimeoutStaysOpenUntilItEnds(Vertx vertx, VertxTestContext test) {
    fake.enqueue(Reply.text("one two three four five").eventDelayMs(400));
    AtomicBoolean streamEnded = new AtomicBoolean();
    String body = new JsonObject().put("model", "gpt-test").put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))).encode();
    OnLoop.call(vertx, () -> priorKnowledgeClient(vertx)
        .request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(request -> {
          request.connection().closeHandler(v -> {
            if (streamEnded.get()) {
              test.completeNow();
            } else {
              test.failNow("the connection was closed while its stream ran");
            }
          });
          return request.send(body);
        })
        .compose(response -> response.body())
        .onComplete(test.succeeding(sse -> test.verify(() -> {
          assertTrue(sse.toString().contains("data: [DONE]"), sse.toString());
          streamEnded.set(true);
        }))));
  }

  @Test
  void anHttp2ConnectionKeptBusyLongerThanTheIdleTimeoutIsClosedOnlyAnIdleTimeoutAfterItsLastStream(Vertx vertx, VertxTestContext test) {
    HttpClient client = priorKnowledgeClient(vertx);
    int requests = 6;
    long gapMs = 400;
    AtomicInteger answered = new AtomicInteger();
    AtomicReference<HttpConnection> connection = new AtomicReference<>();
    Runnable[] next = new Runnable[1];
    next[0] = () -> client.request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/api/v1/health"))
        .compose(request -> request.send().compose(response -> response.body().map(body -> response)))
        .onComplete(test.succeeding(response -> test.verify(() -> {
          assertEquals(HttpVersion.HTTP_2, response.version());
          HttpConnection used = response.request().connection();
          if (connection.compareAndSet(null, used)) {
            used.closeHandler(v -> test.verify(() -> {
              assertEquals(requests, answered.get(), "the connection was closed while a client kept sending requests on it");
              test.completeNow();
            }));
          }
          assertTrue(connection.get() == used, "every request went over the same connection, not closed in between");
          if (answered.incrementAndGet() < requests) {
            vertx.setTimer(gapMs, t -> next[0].run());
          }
        })));
    OnLoop.call(vertx, () -> {
      next[0].run();
      return io.vertx.core.Future.succeededFuture();
    });
  }

  private static HttpClient priorKnowledgeClient(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
  }
}
