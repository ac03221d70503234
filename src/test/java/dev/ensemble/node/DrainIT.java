package dev.ensemble.node;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.testing.OnLoop;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node drained in-process ({@code POST /admin/drain}, the same drain SIGTERM starts): readiness turns 503 at once,
 * requests are served during the grace and refused after it, streams in flight finish, stragglers past the deadline
 * end with an error event in their client's format and are persisted failed, WebSocket clients are told to reconnect.
 */
class DrainIT {

  private static final String ADMIN_KEY = "admin-drain-0123456789";

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"));
  private final Path dir = Path.of(GatewayExtension.scratchDir("drain"));

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private Gateway start(long drainTimeoutMs, long graceMs) throws Exception {
    String yaml = GatewayExtension.standardConfigWithAdminKey(fake, ADMIN_KEY,
        "drain_timeout_ms: " + drainTimeoutMs + ", drain_grace_ms: " + graceMs)
        .replace("responses: {", "storage: { sqlite_path: " + dir.resolve("ensemble.db") + " }\nresponses: {")
        .replaceFirst("local_dir: [^ ,}]+", "local_dir: " + dir.resolve("responses"))
        .replace("idle_timeout_ms: 1000", "idle_timeout_ms: 5000").replace("timeout_ms: 4000", "timeout_ms: 60000")
        .replace("first_byte_timeout_ms: 1500", "first_byte_timeout_ms: 30000")
        .replace("\nroutes:\n", "\n  emb-test:\n    kind: embedding\n    pricing: { input: 0.02 }\n    cache: { mode: none }\n"
            + "    providers: [ { provider: oai, model: text-embedding-3-small } ]\nroutes:\n");
    EnsembleConfig config = new ConfigLoader(Map.of()).parse(yaml);
    return await(Gateway.start(vertx, config));
  }

  private static String words(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      b.append("word").append(i).append(' ');
    }
    return b.toString().trim();
  }

  /** A streamed chat request: {@code firstBytes} completes with the request id when the first chunk arrived. */
  private Future<String> stream(Gateway node, String path, JsonObject body, Promise<String> firstBytes) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setPort(node.port()).setURI(path)
        .putHeader("content-type", "application/json").putHeader("anthropic-version", "2023-06-01");
    return OnLoop.call(vertx, () -> http.request(options).compose(req -> req.send(body.toBuffer())).compose(resp -> {
      Promise<String> all = Promise.promise();
      Buffer received = Buffer.buffer();
      resp.handler(chunk -> {
        received.appendBuffer(chunk);
        firstBytes.tryComplete(resp.getHeader("X-Ensemble-Request-Id"));
      });
      resp.endHandler(v -> all.complete(received.toString()));
      resp.exceptionHandler(all::tryFail);
      return all.future();
    }));
  }

  /** An embeddings request: its status and body once the whole answer arrived. */
  private Future<Map.Entry<Integer, String>> embed(Gateway node) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setPort(node.port()).setURI("/v1/embeddings")
        .putHeader("content-type", "application/json");
    return OnLoop.call(vertx, () -> http.request(options)
        .compose(req -> req.send(new JsonObject().put("model", "emb-test").put("input", "hello").toBuffer()))
        .compose(resp -> resp.body().map(b -> Map.entry(resp.statusCode(), b.toString()))));
  }

  /** Waits until the fake provider was asked {@code requests} times in all, looking at most {@code tries} times 20 ms apart. */
  private Future<Void> untilUpstreamAsked(int requests, int tries) {
    return fake.server().requests().size() >= requests || tries <= 1 ? Future.succeededFuture()
        : Future.<Void>future(p -> vertx.setTimer(20, t -> p.complete())).compose(v -> untilUpstreamAsked(requests, tries - 1));
  }

  private Future<Integer> get(Gateway node, String path) {
    return OnLoop.call(vertx, () -> http.request(HttpMethod.GET, node.port(), "127.0.0.1", path)
        .compose(req -> (path.startsWith("/admin") ? req.putHeader("Authorization", "Bearer " + ADMIN_KEY) : req).send())
        .compose(resp -> resp.body().map(b -> resp.statusCode())));
  }

  private Future<JsonObject> getJson(Gateway node, String path) {
    return OnLoop.call(vertx, () -> http.request(HttpMethod.GET, node.port(), "127.0.0.1", path)
        .compose(req -> req.putHeader("Authorization", "Bearer " + ADMIN_KEY).send())
        .compose(resp -> resp.body().map(Buffer::toJsonObject)));
  }

  private Future<Integer> drain(Gateway node) {
    return OnLoop.call(vertx, () -> http.request(HttpMethod.POST, node.port(), "127.0.0.1", "/admin/drain")
        .compose(req -> req.putHeader("Authorization", "Bearer " + ADMIN_KEY).send())
        .compose(resp -> resp.body().map(b -> resp.statusCode())));
  }

  /** Asks {@code path} until it answers {@code status}, at most {@code tries} times 50 ms apart. */
  private Future<Integer> untilStatus(Gateway node, String path, int status, int tries) {
    return get(node, path).compose(s -> s == status || tries <= 1 ? Future.succeededFuture(s)
        : Future.<Void>future(p -> vertx.setTimer(50, t -> p.complete())).compose(v -> untilStatus(node, path, status, tries - 1)));
  }

  private static JsonObject chat(String model, boolean stream) {
    return new JsonObject().put("model", model).put("stream", stream).put("max_tokens", 256)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "tell me")));
  }

  @Test
  void streamInFlightFinishesWhileTheNodeDrainsThenNewRequestsAreRefused() throws Exception {
    Gateway node = start(30_000, 1_500);
    fake.enqueue(Reply.text(words(30)).eventDelayMs(60));
    assertEquals(200, await(untilStatus(node, "/api/v1/ready", 200, 1)), "ready once started");
    Promise<String> first = Promise.promise();
    Future<String> streamed = stream(node, "/v1/chat/completions", chat("gpt-test", true), first);
    String id = await(first.future());

    assertEquals(202, await(drain(node)));
    assertEquals(503, await(get(node, "/api/v1/ready")), "readiness is 503 at once");
    assertEquals(200, await(get(node, "/api/v1/health")), "liveness stays 200");
    assertEquals(200, await(get(node, "/v1/models")), "served during the grace");
    assertEquals(503, await(untilStatus(node, "/v1/models", 503, 200)), "refused after the grace");

    String body = await(streamed);
    assertTrue(body.contains("word29") && body.trim().endsWith("data: [DONE]"), body);
    await(node.terminated());

    Gateway again = start(30_000, 100);
    JsonObject stored = await(getJson(again, "/api/v1/responses/" + id));
    assertEquals("completed", stored.getString("status"), stored.encode());
    assertTrue(stored.getString("text").endsWith("word29"), stored.encode());
    await(again.stop());
  }

  @Test
  void streamStillRunningAtTheDeadlineEndsWithAnErrorEventAndIsPersistedFailed() throws Exception {
    Gateway node = start(1_000, 200);
    fake.enqueue(Reply.text(words(200)).eventDelayMs(50));
    Promise<String> first = Promise.promise();
    Future<String> streamed = stream(node, "/v1/messages", chat("claude-test", true), first);
    String id = await(first.future());

    assertEquals(202, await(drain(node)));
    String body = await(streamed);
    assertTrue(body.contains("event: error"), "an Anthropic error event ends the stream: " + body);
    assertTrue(!body.contains("word199"), "cut before the end");
    await(node.terminated());

    Gateway again = start(30_000, 100);
    JsonObject stored = await(getJson(again, "/api/v1/responses/" + id));
    assertEquals("failed", stored.getString("status"), stored.encode());
    assertTrue(stored.getBoolean("truncated"), stored.encode());
    assertTrue(stored.getString("text").startsWith("word0"), stored.encode());
    JsonObject usage = await(getJson(again, "/admin/usage?from=2000-01-01"));
    assertEquals(1L, usage.getJsonArray("rows").getJsonObject(0).getLong("requests"), usage.encode());
    await(again.stop());
  }

  @Test
  void embeddingsRequestInFlightIsAnsweredBeforeTheNodeStops() throws Exception {
    Gateway node = start(30_000, 100);
    int asked = fake.server().requests().size();
    fake.enqueue(Reply.text("").latencyMs(1_500));
    Future<Map.Entry<Integer, String>> embedded = embed(node);
    await(untilUpstreamAsked(asked + 1, 250));

    assertEquals(202, await(drain(node)));
    Map.Entry<Integer, String> answer = await(embedded);
    assertEquals(200, answer.getKey(), answer.getValue());
    assertEquals(8, new JsonObject(answer.getValue()).getJsonArray("data").getJsonObject(0).getJsonArray("embedding").size(), answer.getValue());
    await(node.terminated());
  }

  @Test
  void embeddingsRequestStillRunningAtTheDeadlineGetsAnErrorInItsClientsFormat() throws Exception {
    Gateway node = start(800, 100);
    int asked = fake.server().requests().size();
    fake.enqueue(Reply.text("").latencyMs(20_000));
    Future<Map.Entry<Integer, String>> embedded = embed(node);
    await(untilUpstreamAsked(asked + 1, 250));

    assertEquals(202, await(drain(node)));
    Map.Entry<Integer, String> answer = await(embedded);
    assertEquals(503, answer.getKey(), answer.getValue());
    JsonObject error = new JsonObject(answer.getValue()).getJsonObject("error");
    assertTrue(error.getString("message").contains("drain deadline"), answer.getValue());
    await(node.terminated());

    Gateway again = start(30_000, 100);
    JsonObject usage = await(getJson(again, "/admin/usage?from=2000-01-01"));
    assertEquals(1L, usage.getJsonArray("rows").getJsonObject(0).getLong("requests"), "its ledger row: " + usage.encode());
    await(again.stop());
  }

  @Test
  void webSocketClientIsToldToReconnectOnceItsAnswerEnded() throws Exception {
    Gateway node = start(30_000, 200);
    fake.enqueue(Reply.text(words(10)).eventDelayMs(30));
    WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions());
    var socket = await(sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.port()).setURI("/v1/ws")));
    Promise<Short> closed = Promise.promise();
    JsonArray events = new JsonArray();
    socket.textMessageHandler(t -> events.add(new JsonObject(t)));
    socket.closeHandler(v -> closed.tryComplete(socket.closeStatusCode()));
    socket.writeTextMessage(new JsonObject().put("type", "request").put("id", "c1").put("format", "openai")
        .put("body", chat("gpt-test", true)).encode());

    assertEquals(202, await(drain(node)));
    assertEquals((short) 1012, await(closed.future()), "close code: service restart");
    JsonObject last = events.getJsonObject(events.size() - 1);
    assertEquals("response.end", last.getString("type"), "the answer in flight ended first: " + events.encode());
    await(node.terminated());
  }
}
