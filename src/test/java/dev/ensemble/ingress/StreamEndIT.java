package dev.ensemble.ingress;

import dev.ensemble.testing.OnLoop;
import io.netty.handler.codec.http2.Http2DataFrame;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The last events of a streamed answer wait for the upstream's end only as long as the event loop's turn: they reach
 * the client while the upstream, its answer complete ({@code data: [DONE]}), still holds its response open. The
 * upstream here ends its response only once the client has seen {@code [DONE]}; a gateway that kept those bytes for
 * the upstream's end would send them only when its idle timeout ends the stream, and record the answer as failed.
 */
@ExtendWith(VertxExtension.class)
class StreamEndIT {

  @RegisterExtension @Order(1) static HeldUpstream upstream = new HeldUpstream();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(() -> """
      server: { host: 127.0.0.1, port: 0 }
      responses: { store: local, local_dir: %s }
      providers:
        held:
          type: openai
          base_url: http://127.0.0.1:%d/v1
          timeout_ms: 10000
          idle_timeout_ms: 3000
          keys:
            - { name: primary, api_key: sk-held, endpoints: [ { id: held-1 } ] }
      models:
        held-gpt:
          providers: [ { provider: held, model: gpt-4o-mini } ]
        whole-gpt:
          providers: [ { provider: held, model: whole } ]
      """.formatted(GatewayExtension.scratchDir("responses"), upstream.port()));

  @Test
  void theAnswersLastEventsReachTheClientWhileTheUpstreamStillHoldsItsResponseOpen(Vertx vertx, VertxTestContext test) {
    HttpClient client = vertx.createHttpClient();
    AtomicBoolean endedAfterDone = new AtomicBoolean();
    StringBuilder seen = new StringBuilder();
    JsonObject body = new JsonObject().put("model", "held-gpt").put("stream", true)
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", "Hi")));
    OnLoop.call(vertx, () -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gateway.port())
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json"))
        .compose(request -> request.send(body.toBuffer()))
        .onComplete(test.succeeding((HttpClientResponse response) -> {
          response.handler(chunk -> {
            seen.append(chunk.toString(StandardCharsets.UTF_8));
            if (seen.indexOf("data: [DONE]") >= 0 && !endedAfterDone.getAndSet(true)) {
              upstream.endResponse();
            }
          });
          response.endHandler(v -> test.verify(() -> {
            assertEquals(200, response.statusCode());
            assertTrue(endedAfterDone.get(), "the client saw [DONE]: " + seen);
            assertTrue(seen.indexOf("\"content\":\"Hello\"") >= 0 && seen.indexOf("\"content\":\" world\"") >= 0, seen.toString());
            assertTrue(seen.toString().endsWith("data: [DONE]\n\n"), seen.toString());
            String id = response.getHeader(Headers.REQUEST_ID);
            client.request(HttpMethod.GET, gateway.port(), "127.0.0.1", "/api/v1/responses/" + id)
                .compose(get -> get.send().compose(HttpClientResponse::body))
                .onComplete(test.succeeding(stored -> test.verify(() -> {
                  // ended by the upstream's end once the client had everything, not by the idle timeout while the
                  // gateway still held the last bytes
                  assertEquals("completed", new JsonObject(stored).getString("status"), stored.toString());
                  assertEquals("Hello world", new JsonObject(stored).getString("text"));
                  client.close();
                  test.completeNow();
                })));
          }));
        })));
  }

  /**
   * When the upstream's whole stream and its end come in one read (the usual case), the client gets the stream's bytes
   * and its end in one write: over h2c, one DATA frame that also ends the stream, not the bytes and then an empty frame
   * to end it (a second write and flush of the connection).
   */
  @Test
  void aStreamThatArrivesWholeLeavesWithTheClientsEndInOneWrite() throws Exception {
    JsonObject body = new JsonObject().put("model", "whole-gpt").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", "Hi")));
    List<Http2DataFrame> frames = H2cFrames.post(gateway.port(), "/v1/chat/completions", body.toBuffer().getBytes());
    List<String> data = new ArrayList<>();
    for (Http2DataFrame frame : frames) {
      data.add(frame.content().toString(StandardCharsets.UTF_8) + (frame.isEndStream() ? "<end>" : ""));
      frame.release();
    }
    assertEquals(1, data.size(), "DATA frames: " + data);
    String only = data.get(0);
    assertTrue(only.contains("\"content\":\"Whole\"") && only.contains("\"usage\":{") && only.endsWith("data: [DONE]\n\n<end>"), only);
  }

  /**
   * An OpenAI upstream that streams a short answer, its usage and {@code data: [DONE]} at once, then holds the
   * response open until {@link #endResponse}.
   */
  static final class HeldUpstream implements BeforeAllCallback, AfterAllCallback {

    private static final String HEAD = "data: {\"id\":\"chatcmpl-held\",\"object\":\"chat.completion.chunk\",\"created\":1735689600,"
        + "\"model\":\"gpt-4o-mini\",\"choices\":";
    static final String WHOLE = HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
        + HEAD + "[{\"index\":0,\"delta\":{\"content\":\"Whole\"},\"finish_reason\":null}]}\n\n"
        + HEAD + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + HEAD + "[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\n\n"
        + "data: [DONE]\n\n";
    private Vertx vertx;
    private HttpServer server;
    private volatile HttpServerResponse held;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
      vertx = Vertx.vertx();
      server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(b -> {
        HttpServerResponse response = request.response().setChunked(true).putHeader("content-type", "text/event-stream");
        if (b.toString(StandardCharsets.UTF_8).contains("\"whole\"")) {
          // the usual case: the whole stream and the response's end in one read
          response.end(WHOLE);
          return;
        }
        held = response;
        response.write(HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n"
            + HEAD + "[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
            + HEAD + "[{\"index\":0,\"delta\":{\"content\":\" world\"},\"finish_reason\":null}]}\n\n"
            + HEAD + "[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + HEAD + "[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n"
            + "data: [DONE]\n\n");
      })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    int port() {
      return server.actualPort();
    }

    void endResponse() {
      HttpServerResponse response = held;
      response.end();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
