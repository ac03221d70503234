package dev.ensemble.ingress;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /v1/ws} of a real node (client keys required) against the fake upstream and a paced upstream of its own. */
class WebSocketIT {

  private static final String ADMIN_KEY = "admin-ws-test";
  private static final PacedUpstream paced = new PacedUpstream();

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> paced.addTo(
      GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, "require_client_keys: true"), f.server().vertx()));

  private static Vertx clientVertx;
  private static WebSocketClient sockets;
  private static String clientKey;

  @BeforeAll
  static void start() {
    clientKey = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "ws-tests")).getString("key");
    clientVertx = Vertx.vertx();
    sockets = clientVertx.createWebSocketClient(new WebSocketClientOptions().setReceiveBufferSize(PacedUpstream.SOCKET_BUFFER));
  }

  @AfterAll
  static void stop() throws Exception {
    clientVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void twoRequestsInFlightOnOneSocketEachGetTheirOwnCompleteEventSequence() throws Exception {
    fake.enqueue(Reply.text("one two three four five six").eventDelayMs(20), Reply.text("one two three four five six").eventDelayMs(20));
    Socket socket = connect("", clientKey);

    socket.send(request("c1", "openai", openAiBody("gpt-test")));
    socket.send(request("c2", "anthropic", anthropicBody("claude-test")));
    JsonObject end1 = socket.next(f -> "c1".equals(f.getString("request")) && "response.end".equals(f.getString("type")));
    JsonObject end2 = socket.next(f -> "c2".equals(f.getString("request")) && "response.end".equals(f.getString("type")));

    for (String id : List.of("c1", "c2")) {
      List<JsonObject> events = socket.of(id);
      assertEquals("response.start", events.get(0).getString("type"));
      assertEquals("response.end", events.get(events.size() - 1).getString("type"));
      for (int i = 0; i < events.size(); i++) {
        assertEquals(i, events.get(i).getInteger("seq"), id + ": " + events);
      }
      assertEquals("one two three four five six", events.stream().filter(e -> "block.delta".equals(e.getString("type")))
          .map(e -> e.getString("text")).collect(Collectors.joining()));
    }
    assertEquals("oai", socket.of("c1").get(0).getString("provider"));
    assertEquals("ant", socket.of("c2").get(0).getString("provider"));
    assertTrue(socket.indexOf("c1", "response.end") > socket.indexOf("c2", "block.delta")
        && socket.indexOf("c2", "response.end") > socket.indexOf("c1", "block.delta"), "the answers interleave: " + socket.frames);
    for (JsonObject end : List.of(end1, end2)) {
      assertTrue(end.getJsonObject("usage").getLong("input") > 0, end.encode());
      assertTrue(end.getJsonObject("usage").getLong("output") > 0, end.encode());
      assertTrue(end.getDouble("cost_usd") > 0, end.encode());
      assertEquals("end_turn", end.getString("stop_reason"));
    }

    String id = socket.of("c2").get(0).getString("id");
    HttpResponse<String> stored = get("/api/v1/responses/" + id);
    assertEquals(200, stored.statusCode(), stored.body());
    JsonObject record = new JsonObject(stored.body());
    assertEquals("completed", record.getString("status"));
    assertEquals("one two three four five six", record.getString("text"));
    assertEquals("ant", record.getString("provider"));
    socket.close();
  }

  @Test
  void cancelStopsThatRequestsUpstreamWhileTheOtherContinues() throws Exception {
    String longText = "w ".repeat(200).trim();
    fake.enqueue(Reply.text(longText).eventDelayMs(25));
    Socket socket = connect("", clientKey);

    socket.send(request("slow", "openai", openAiBody("gpt-test")));
    socket.next(f -> "slow".equals(f.getString("request")) && "block.delta".equals(f.getString("type")));
    fake.enqueue(Reply.text("still here").eventDelayMs(10));
    socket.send(request("other", "anthropic", anthropicBody("claude-test")));
    socket.next(f -> "other".equals(f.getString("request")) && "block.delta".equals(f.getString("type")));
    socket.send(new JsonObject().put("type", "cancel").put("id", "slow"));

    JsonObject cancelled = socket.next(f -> "slow".equals(f.getString("request")) && "error".equals(f.getString("type")));
    assertEquals(499, cancelled.getJsonObject("error").getInteger("status"));
    assertEquals("cancelled", cancelled.getJsonObject("error").getString("type"));
    assertNotNull(fake.server().firstAbandoned().get(10, TimeUnit.SECONDS), "the upstream saw its connection closed");
    JsonObject otherEnd = socket.next(f -> "other".equals(f.getString("request")) && "response.end".equals(f.getString("type")));
    assertEquals("end_turn", otherEnd.getString("stop_reason"));
    List<JsonObject> slow = socket.of("slow");
    assertEquals(cancelled, slow.get(slow.size() - 1), "nothing follows the cancel");

    JsonObject record = new JsonObject(get("/api/v1/responses/" + slow.get(0).getString("id")).body());
    assertEquals("failed", record.getString("status"));
    assertEquals("cancelled", record.getJsonObject("error").getString("type"));
    socket.close();
  }

  @Test
  void badFramesGetAnErrorEventAndTheSocketStaysUsable() throws Exception {
    Socket socket = connect("", clientKey);

    socket.sendText("this is not json");
    JsonObject notJson = socket.next(f -> "error".equals(f.getString("type")));
    assertNull(notJson.getString("request"));
    assertTrue(notJson.getJsonObject("error").getString("message").contains("not valid JSON"), notJson.encode());

    socket.send(new JsonObject().put("type", "request").put("format", "openai").put("body", openAiBody("gpt-test")));
    JsonObject noId = socket.next(f -> "error".equals(f.getString("type")) && f.getJsonObject("error").getString("message").contains("needs an id"));
    assertNull(noId.getString("request"));

    socket.send(new JsonObject().put("type", "subscribe").put("id", "t1"));
    JsonObject unknownType = socket.next(f -> "t1".equals(f.getString("request")));
    assertTrue(unknownType.getJsonObject("error").getString("message").contains("subscribe"), unknownType.encode());

    socket.send(request("f1", "cobol", openAiBody("gpt-test")));
    assertTrue(socket.next(f -> "f1".equals(f.getString("request"))).getJsonObject("error").getString("message").contains("format"));

    socket.send(request("b1", "openai", new JsonObject().put("model", "gpt-test")));
    JsonObject invalidBody = socket.next(f -> "b1".equals(f.getString("request")));
    assertEquals(400, invalidBody.getJsonObject("error").getInteger("status"));
    assertEquals("invalid_request", invalidBody.getJsonObject("error").getString("type"));

    socket.send(request("m1", "openai", openAiBody("no-such-model")));
    assertEquals(404, socket.next(f -> "m1".equals(f.getString("request"))).getJsonObject("error").getInteger("status"));

    fake.enqueue(Reply.text("first").eventDelayMs(50));
    socket.send(request("d1", "openai", openAiBody("gpt-test")));
    socket.send(request("d1", "openai", openAiBody("gpt-test")));
    JsonObject duplicate = socket.next(f -> "d1".equals(f.getString("request")) && "error".equals(f.getString("type")));
    assertTrue(duplicate.getJsonObject("error").getString("message").contains("already in flight"), duplicate.encode());
    assertNull(duplicate.getValue("seq"), "a refused frame is no part of the answer in flight");
    assertEquals("first", socket.next(f -> "d1".equals(f.getString("request")) && "block.delta".equals(f.getString("type"))).getString("text"));
    socket.next(f -> "d1".equals(f.getString("request")) && "response.end".equals(f.getString("type")));

    socket.send(request("ok", "anthropic", anthropicBody("claude-test")));
    socket.next(f -> "ok".equals(f.getString("request")) && "response.end".equals(f.getString("type")));
    socket.close();
  }

  @Test
  void aRequestRefusedBeforeItsAnswerStartedGetsItsErrorAsEventZeroOfThatAnswer() throws Exception {
    Socket socket = connect("", clientKey);

    socket.send(request("r1", "cobol", openAiBody("gpt-test")));
    socket.send(request("r2", "openai", new JsonObject().put("model", "gpt-test")));
    socket.send(request("r3", "openai", openAiBody("no-such-model")));

    for (String id : List.of("r1", "r2", "r3")) {
      JsonObject error = socket.next(f -> id.equals(f.getString("request")));
      assertEquals("error", error.getString("type"), error.encode());
      assertEquals(0L, error.getLong("seq"), "every event of an answer has its seq, the first is 0: " + error.encode());
    }
    socket.close();
  }

  @Test
  void theUpgradeNeedsAGatewayKeyInTheHeaderOrTheQuery() throws Exception {
    ExecutionException none = assertThrows(ExecutionException.class, () -> connect("", null));
    assertEquals(401, assertInstanceOf(UpgradeRejectedException.class, none.getCause()).getStatus());
    ExecutionException wrong = assertThrows(ExecutionException.class, () -> connect("?key=not-a-key", null));
    assertEquals(401, assertInstanceOf(UpgradeRejectedException.class, wrong.getCause()).getStatus());

    Socket socket = connect("?key=" + clientKey, null);
    socket.send(request("q1", "openai", openAiBody("gpt-test")));
    JsonObject end = socket.next(f -> "q1".equals(f.getString("request")) && "response.end".equals(f.getString("type")));
    assertNotNull(end.getJsonObject("usage"));
    socket.close();
  }

  /**
   * The paced upstream writes a long answer as fast as its socket takes it. While the client reads nothing, the
   * gateway must stop reading the upstream: the upstream's writes stall long before the whole answer is out
   * (without backpressure the gateway would swallow all of it into its own write queue). Once the client reads
   * again, every event arrives. What the kernel holds on the way does not count against the gateway: the test's
   * two sockets (client receive, upstream send) have small fixed buffers, and the answer (about 46 MB) is far larger
   * than what the gateway's own sockets may buffer once Linux has grown their windows (observed: up to 13 MB).
   */
  @Test
  void aClientThatDoesNotReadHoldsTheUpstreamBack() throws Exception {
    Socket socket = connect("", clientKey);
    socket.ws.pause();
    CompletableFuture<Long> stalled = paced.nextStall();

    socket.send(request("big", "openai", openAiBody("paced-test")));
    long writtenAtStall = stalled.get(20, TimeUnit.SECONDS);
    assertTrue(writtenAtStall < PacedUpstream.TOTAL_BYTES / 2,
        "the upstream stalled after " + writtenAtStall + " of " + PacedUpstream.TOTAL_BYTES + " bytes");

    socket.ws.resume();
    JsonObject end = socket.next(f -> "big".equals(f.getString("request")) && "response.end".equals(f.getString("type")), 60);
    assertEquals(PacedUpstream.CHUNKS, end.getJsonObject("usage").getInteger("output"));
    long deltas = socket.of("big").stream().filter(e -> "block.delta".equals(e.getString("type"))).count();
    assertEquals(PacedUpstream.CHUNKS, deltas);
    socket.close();
  }

  @Test
  void theResponsesAndGeminiFormatsAreServedOnTheSocketToo() throws Exception {
    Socket socket = connect("", clientKey);

    socket.send(request("r1", "responses", new JsonObject().put("model", "gpt-test").put("input", "Hello there")));
    socket.send(request("g1", "gemini", new JsonObject().put("model", "models/claude-test").put("contents", new JsonArray()
        .add(new JsonObject().put("role", "user").put("parts", new JsonArray().add(new JsonObject().put("text", "Hello there")))))));
    socket.next(f -> "r1".equals(f.getString("request")) && "response.end".equals(f.getString("type")));
    socket.next(f -> "g1".equals(f.getString("request")) && "response.end".equals(f.getString("type")));

    JsonObject responsesBody = storedBody(socket.of("r1").get(0).getString("id"));
    assertEquals("response", responsesBody.getString("object"));
    assertEquals("echo: Hello there", responsesBody.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0)
        .getString("text"));
    JsonObject geminiBody = storedBody(socket.of("g1").get(0).getString("id"));
    assertEquals("echo: Hello there", geminiBody.getJsonArray("candidates").getJsonObject(0).getJsonObject("content")
        .getJsonArray("parts").getJsonObject(0).getString("text"));
    assertEquals("ant", socket.of("g1").get(0).getString("provider"));
    socket.send(request("x1", "cohere", openAiBody("gpt-test")));
    String message = socket.next(f -> "x1".equals(f.getString("request"))).getJsonObject("error").getString("message");
    assertTrue(message.contains("\"responses\"") && message.contains("\"gemini\""), message);
    socket.close();
  }

  /** The stored body of a response, once it is stored (read until then from the live journal). */
  private static JsonObject storedBody(String id) throws Exception {
    HttpResponse<String> stored = get("/api/v1/responses/" + id);
    assertEquals(200, stored.statusCode(), stored.body());
    JsonObject record = new JsonObject(stored.body());
    for (int i = 0; i < 50 && record.getJsonObject("body") == null; i++) {
      CompletableFuture<Void> later = new CompletableFuture<>();
      clientVertx.setTimer(100, t -> later.complete(null));
      later.get(5, TimeUnit.SECONDS);
      record = new JsonObject(get("/api/v1/responses/" + id).body());
    }
    return record.getJsonObject("body");
  }

  private static JsonObject request(String id, String format, JsonObject body) {
    return new JsonObject().put("type", "request").put("id", id).put("format", format).put("body", body);
  }

  private static JsonObject openAiBody(String model) {
    return new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello there")));
  }

  private static JsonObject anthropicBody(String model) {
    return new JsonObject().put("model", model).put("max_tokens", 256)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello there")));
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
        .header("Authorization", "Bearer " + clientKey).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Socket connect(String query, String key) throws Exception {
    URI base = URI.create(gateway.baseUrl());
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort()).setURI("/v1/ws" + query);
    if (key != null) {
      options.addHeader("Authorization", "Bearer " + key);
    }
    Socket socket = new Socket();
    Future<WebSocket> connected = sockets.connect(options).onSuccess(ws -> ws.textMessageHandler(text -> socket.add(new JsonObject(text))));
    socket.ws = connected.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return socket;
  }

  /** The client side of one socket: every frame received, and futures for the first frame matching a condition. */
  private static final class Socket {
    private final List<JsonObject> frames = new ArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>();
    private WebSocket ws;

    private record Waiter(Predicate<JsonObject> match, CompletableFuture<JsonObject> found) {}

    synchronized void add(JsonObject frame) {
      frames.add(frame);
      waiters.removeIf(w -> w.match.test(frame) && w.found.complete(frame));
    }

    JsonObject next(Predicate<JsonObject> match) throws Exception {
      return next(match, 10);
    }

    JsonObject next(Predicate<JsonObject> match, int seconds) throws Exception {
      CompletableFuture<JsonObject> found = new CompletableFuture<>();
      synchronized (this) {
        frames.stream().filter(match).findFirst().ifPresentOrElse(found::complete, () -> waiters.add(new Waiter(match, found)));
      }
      return found.get(seconds, TimeUnit.SECONDS);
    }

    synchronized List<JsonObject> of(String request) {
      return frames.stream().filter(f -> request.equals(f.getString("request"))).toList();
    }

    synchronized int indexOf(String request, String type) {
      for (int i = 0; i < frames.size(); i++) {
        if (request.equals(frames.get(i).getString("request")) && type.equals(frames.get(i).getString("type"))) {
          return i;
        }
      }
      return -1;
    }

    void send(JsonObject frame) throws Exception {
      sendText(frame.encode());
    }

    void sendText(String text) throws Exception {
      ws.writeTextMessage(text).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void close() throws Exception {
      ws.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * An OpenAI-format upstream (provider {@code paced}, model {@code paced-test}) that streams {@link #CHUNKS} text
   * chunks of about 1 KiB each, honouring its socket's backpressure: it writes while the write queue has room and
   * waits for the drain otherwise. It reports a stall: a full write queue that has not drained for 500 ms.
   */
  private static final class PacedUpstream {
    static final int CHUNKS = 40_000;
    /** The fixed kernel buffer of the test's own sockets (the client's receive side, this upstream's send side). */
    static final int SOCKET_BUFFER = 64 * 1024;
    static final long TOTAL_BYTES;
    private static final String PIECE = "x".repeat(1000);
    private static final String CHUNK = "data: " + new JsonObject().put("id", "chatcmpl-paced").put("object", "chat.completion.chunk")
        .put("created", 1).put("model", "paced").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
            .put("delta", new JsonObject().put("content", PIECE)).put("finish_reason", null))).encode() + "\n\n";

    static {
      TOTAL_BYTES = (long) CHUNKS * CHUNK.length();
    }

    private HttpServer server;
    private volatile CompletableFuture<Long> stall = new CompletableFuture<>();

    String addTo(String yaml, Vertx vertx) {
      try {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setSendBufferSize(SOCKET_BUFFER))
            .requestHandler(req -> req.body().onSuccess(b -> stream(vertx, req.response())))
            .listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return yaml.replace("providers:\n", """
          providers:
            paced:
              type: openai
              base_url: http://127.0.0.1:%d/v1
              idle_timeout_ms: 2000
              keys: [ { name: primary, api_key: sk-paced, endpoints: [ { id: paced-1 } ] } ]
          """.formatted(server.actualPort())).replace("models:\n", """
          models:
            paced-test:
              pricing: { input: 1.0, output: 1.0 }
              providers: [ { provider: paced, model: paced } ]
          """);
    }

    CompletableFuture<Long> nextStall() {
      stall = new CompletableFuture<>();
      return stall;
    }

    private void stream(Vertx vertx, HttpServerResponse response) {
      response.setChunked(true).putHeader("content-type", "text/event-stream");
      response.write("data: " + new JsonObject().put("id", "chatcmpl-paced").put("object", "chat.completion.chunk").put("created", 1)
          .put("model", "paced").put("choices", new JsonArray().add(new JsonObject().put("index", 0)
              .put("delta", new JsonObject().put("role", "assistant").put("content", "")).put("finish_reason", null))).encode() + "\n\n");
      writeFrom(vertx, response, 0, new long[] {0});
    }

    private void writeFrom(Vertx vertx, HttpServerResponse response, int next, long[] written) {
      int i = next;
      while (i < CHUNKS && !response.writeQueueFull()) {
        response.write(CHUNK);
        written[0] += CHUNK.length();
        i++;
      }
      if (i < CHUNKS) {
        int resumeAt = i;
        long[] drained = {0};
        long timer = vertx.setTimer(500, t -> {
          if (drained[0] == 0) {
            stall.complete(written[0]);
          }
        });
        response.drainHandler(v -> {
          drained[0] = 1;
          vertx.cancelTimer(timer);
          writeFrom(vertx, response, resumeAt, written);
        });
        return;
      }
      response.write("data: " + new JsonObject().put("id", "chatcmpl-paced").put("object", "chat.completion.chunk").put("created", 1)
          .put("model", "paced").put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("delta", new JsonObject())
              .put("finish_reason", "stop"))).encode() + "\n\n");
      response.write("data: " + new JsonObject().put("id", "chatcmpl-paced").put("object", "chat.completion.chunk").put("created", 1)
          .put("model", "paced").put("choices", new JsonArray()).put("usage", new JsonObject().put("prompt_tokens", 5)
              .put("completion_tokens", CHUNKS).put("total_tokens", 5 + CHUNKS)).encode() + "\n\n");
      response.end("data: [DONE]\n\n");
    }
  }
}
