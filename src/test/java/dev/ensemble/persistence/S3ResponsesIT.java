package dev.ensemble.persistence;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.node.Gateway;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import dev.ensemble.testing.s3.S3ProxyExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Responses persisted to S3 (an in-process S3Proxy) through {@code responses.store: s3}, read back through
 * {@code /api/v1/responses/{id}}, across a node restart, and followed live while they stream.
 */
class S3ResponsesIT {

  @RegisterExtension
  @Order(1)
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  @RegisterExtension
  @Order(2)
  static S3ProxyExtension s3 = new S3ProxyExtension("ensemble-test-responses");

  private static final String SLOW_TEXT = "one two three four five six seven eight nine ten";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Path dir = Path.of(GatewayExtension.scratchDir("s3"));
  private final Path db = dir.resolve("ensemble.db");
  private Vertx vertx;
  private Gateway node;

  @BeforeEach
  void startNode() throws Exception {
    vertx = Vertx.vertx();
    node = start();
  }

  @AfterEach
  void close() throws Exception {
    await(node.stop().eventually(() -> vertx.close()));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Gateway start() throws Exception {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { sqlite_path: %s }
        responses:
          store: s3
          s3: { bucket: %s, region: us-east-1, endpoint: "%s", prefix: gw/responses/, path_style: true }
        providers:
          ant:
            type: anthropic
            base_url: %s
            timeout_ms: 10000
            idle_timeout_ms: 2000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: ant-1 } ] } ]
        models:
          claude-test:
            pricing: { input: 3.00, output: 15.00 }
            providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        """.formatted(db, s3.bucket(), s3.endpoint(), fake.baseUrl(), GatewayExtension.ANTHROPIC_KEY));
    return await(Gateway.start(vertx, config));
  }

  private String url(String path) {
    return "http://127.0.0.1:" + node.port() + path;
  }

  private static String chat(boolean stream) {
    return new JsonObject().put("model", "claude-test").put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode();
  }

  private HttpRequest.Builder postChat(boolean stream) {
    return HttpRequest.newBuilder(URI.create(url("/v1/chat/completions"))).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat(stream)));
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String storeKey(String id) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         ResultSet rs = c.createStatement().executeQuery("SELECT store_key, status FROM responses WHERE id = '" + id + "'")) {
      return rs.next() ? rs.getString(1) + " " + rs.getString(2) : null;
    }
  }

  /** A streamed answer, one event every 100 ms; returns its id once the first event reached the client. */
  /** A slow stream whose first word the client has already received. */
  private Streaming slowStreamPastItsFirstWord() throws Exception {
    fake.enqueue(Reply.text(SLOW_TEXT).eventDelayMs(100));
    HttpResponse<InputStream> response = http.send(postChat(true).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    StringBuilder all = new StringBuilder();
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      all.append(line).append('\n');
      if (line.startsWith("data: ") && line.contains("one")) {
        break;
      }
    }
    String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
      reader.lines().forEach(l -> all.append(l).append('\n'));
      return all.toString();
    });
    return new Streaming(id, rest);
  }

  private Streaming slowStream() throws Exception {
    fake.enqueue(Reply.text(SLOW_TEXT).eventDelayMs(100));
    HttpResponse<InputStream> response = http.send(postChat(true).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());
    BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    CompletableFuture<String> rest = CompletableFuture.supplyAsync(() -> {
      StringBuilder all = new StringBuilder();
      reader.lines().forEach(l -> all.append(l).append('\n'));
      return all.toString();
    });
    return new Streaming(id, rest);
  }

  private record Streaming(String id, CompletableFuture<String> rest) {}

  /** Opens {@code /events} and collects its SSE lines with their arrival times (ms since opening). */
  private CompletableFuture<List<Line>> follow(String id, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url("/api/v1/responses/" + id + "/events"))).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    long opened = System.nanoTime();
    HttpResponse<java.util.stream.Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
    return CompletableFuture.supplyAsync(() -> {
      List<Line> lines = new ArrayList<>();
      response.body().forEach(l -> lines.add(new Line(l, (System.nanoTime() - opened) / 1_000_000)));
      return lines;
    });
  }

  private record Line(String text, long atMs) {}

  private static List<Long> ids(List<Line> lines) {
    return lines.stream().filter(l -> l.text().startsWith("id: ")).map(l -> Long.parseLong(l.text().substring(4))).toList();
  }

  private static List<String> types(List<Line> lines) {
    return lines.stream().filter(l -> l.text().startsWith("event: ")).map(l -> l.text().substring(7)).toList();
  }

  private static void assertContiguous(List<Long> ids, long first) {
    for (int i = 0; i < ids.size(); i++) {
      assertEquals(first + i, ids.get(i), ids.toString());
    }
  }

  @Test
  void streamedAndNonStreamedResponsesAreStoredInS3AndSurviveARestart() throws Exception {
    fake.enqueue(Reply.text("not streamed").usage(100, 20, 0, 0));
    HttpResponse<String> plain = http.send(postChat(false).build(), HttpResponse.BodyHandlers.ofString());
    fake.enqueue(Reply.text("streamed answer"));
    HttpResponse<String> streamed = http.send(postChat(true).build(), HttpResponse.BodyHandlers.ofString());
    String plainId = plain.headers().firstValue("x-ensemble-request-id").orElseThrow();
    String streamedId = streamed.headers().firstValue("x-ensemble-request-id").orElseThrow();

    JsonObject first = new JsonObject(get("/api/v1/responses/" + plainId).body());
    JsonObject second = new JsonObject(get("/api/v1/responses/" + streamedId).body());
    assertEquals("completed", first.getString("status"));
    assertEquals("not streamed", first.getString("text"));
    assertEquals(new JsonObject(plain.body()), first.getJsonObject("body"));
    assertEquals("completed", second.getString("status"));
    assertEquals("streamed answer", second.getString("text"));

    await(node.stop());
    node = start();

    HttpResponse<String> afterRestart = get("/api/v1/responses/" + plainId);
    assertEquals(200, afterRestart.statusCode(), afterRestart.body());
    assertEquals(first, new JsonObject(afterRestart.body()));
    List<String> events = get("/api/v1/responses/" + streamedId + "/events").body().lines().filter(l -> l.startsWith("event: ")).toList();
    assertEquals("event: response.start", events.get(0));
    assertEquals("event: response.end", events.get(events.size() - 1));
    String key = ResponseKeys.of(streamedId).orElseThrow();
    assertEquals("gw/responses/" + key + " completed", storeKey(streamedId));
    assertTrue(s3.keys().contains("gw/responses/" + key), s3.keys().toString());
    assertTrue(key.matches("\\d{4}-\\d{2}-\\d{2}/" + streamedId + "\\.json"), key);
  }

  @Test
  void eachStoredObjectHoldsTheBodyItsClientGotInEitherFormat() throws Exception {
    String text = "Grüße, \"quoted\" 🌍";
    List<String[]> asked = new ArrayList<>();
    for (String path : List.of("/v1/chat/completions", "/v1/messages")) {
      for (boolean stream : List.of(false, true)) {
        fake.enqueue(Reply.text(text).usage(7, 5, 0, 0));
        JsonObject body = new JsonObject(chat(stream)).put("max_tokens", 50);
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(10))
            .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
            .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        asked.add(new String[] {path + (stream ? " streamed" : ""), r.headers().firstValue("x-ensemble-request-id").orElseThrow(),
            stream ? null : new String(r.body(), StandardCharsets.UTF_8)});
      }
    }
    await(node.stop()); // everything is stored once the node has stopped
    node = start();

    for (String[] a : asked) {
      String object = new String(s3.object("gw/responses/" + ResponseKeys.of(a[1]).orElseThrow()), StandardCharsets.UTF_8);
      JsonObject view = new JsonObject(get("/api/v1/responses/" + a[1]).body());
      assertEquals(text, view.getString("text"), a[0]);
      assertEquals(new JsonObject(object).getJsonObject("body"), view.getJsonObject("body"), a[0]);
      if (a[2] != null) {
        assertTrue(object.contains("\"body\":" + a[2] + ","), a[0] + ": the bytes the client got, as they were: " + object);
        assertEquals(new JsonObject(a[2]), view.getJsonObject("body"), a[0]);
      } else {
        assertTrue(view.getJsonObject("body").encode().contains("Grüße"), a[0] + ": the body rendered in the client's format");
      }
    }
  }

  @Test
  void unknownIdIs404WithoutAStoredObject() throws Exception {
    assertEquals(404, get("/api/v1/responses/0000000000aaaaaaaaaaaaaaaa").statusCode());
    assertEquals(404, get("/api/v1/responses/0000000000aaaaaaaaaaaaaaaa/events").statusCode());
    assertEquals(404, get("/api/v1/responses/not-an-id").statusCode());
  }

  @Test
  void aResponseInProgressShowsItsStatusAndTextSoFar() throws Exception {
    Streaming stream = slowStreamPastItsFirstWord();

    JsonObject now = new JsonObject(get("/api/v1/responses/" + stream.id()).body());
    stream.rest().get(15, TimeUnit.SECONDS);
    JsonObject done = new JsonObject(get("/api/v1/responses/" + stream.id()).body());

    assertEquals("in_progress", now.getString("status"), now.encode());
    assertEquals(stream.id(), now.getString("id"));
    assertEquals("claude-test", now.getString("model"));
    assertEquals("ant", now.getString("provider"));
    assertEquals("ant-1", now.getString("endpoint"));
    assertNull(now.getString("completed_at"));
    assertTrue(now.getString("text").startsWith("one") && SLOW_TEXT.startsWith(now.getString("text")), now.getString("text"));
    assertEquals("completed", done.getString("status"));
    assertEquals(SLOW_TEXT, done.getString("text"));
  }

  @Test
  void eventsOfAStreamInProgressAreFollowedLiveUntilItsEnd() throws Exception {
    Streaming stream = slowStream();

    List<Line> lines = follow(stream.id()).get(15, TimeUnit.SECONDS);
    stream.rest().get(15, TimeUnit.SECONDS);

    List<String> types = types(lines);
    assertEquals("response.start", types.get(0));
    assertEquals("response.end", types.get(types.size() - 1));
    assertContiguous(ids(lines), 0);
    long firstAt = lines.get(0).atMs();
    long lastAt = lines.get(lines.size() - 1).atMs();
    assertTrue(lastAt - firstAt >= 300, "events arrived as they were produced, not all at once: " + firstAt + ".." + lastAt + " ms");
    String replayed = get("/api/v1/responses/" + stream.id() + "/events").body();
    assertEquals(ids(lines).size(), replayed.lines().filter(l -> l.startsWith("id: ")).count(), "the stored events are the followed ones");
  }

  @Test
  void followingResumesAfterLastEventIdMidStream() throws Exception {
    Streaming stream = slowStream();

    List<Line> lines = follow(stream.id(), "Last-Event-ID", "2").get(15, TimeUnit.SECONDS);
    stream.rest().get(15, TimeUnit.SECONDS);

    List<Long> ids = ids(lines);
    assertEquals(3L, ids.get(0));
    assertContiguous(ids, 3);
    List<String> types = types(lines);
    assertEquals("response.end", types.get(types.size() - 1));
  }
}
