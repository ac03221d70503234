package dev.ensemble.persistence;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.node.Gateway;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a client got is what its stored response holds, read back after the node restarted: the very bytes of a
 * non-streamed answer (in the segment file, and as the body {@code /api/v1/responses/{id}} shows), the text a streamed
 * answer's deltas carried (its stored text, its unified events, its body in the client's format), for OpenAI and
 * Anthropic clients, each against an upstream of its own format (passed through) and of the other one (translated).
 */
class StoredAnswersIT {

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private static final String TEXT = "Grüße aus Köln: ein \"Satz\" mit 🌍, über\nzwei Zeilen.";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Path dir = Path.of(GatewayExtension.scratchDir("stored-answers"));
  private final Vertx vertx = Vertx.vertx();
  private Gateway node;

  @AfterEach
  void close() throws Exception {
    await((node == null ? Future.succeededFuture() : node.stop()).eventually(() -> vertx.close()));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private Gateway start() throws Exception {
    String yaml = GatewayExtension.standardConfig(fake).replaceFirst("responses: \\{ store: local, local_dir: [^ ]+ }",
        "responses: { store: local, local_dir: " + dir.resolve("responses") + " }")
        .replace("server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }",
            "server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }\nstorage: { sqlite_path: " + dir.resolve("ensemble.db") + " }");
    return await(Gateway.start(vertx, new ConfigLoader(Map.of()).parse(yaml)));
  }

  /** One request as its client sent it, and what the client got. */
  private record Asked(String format, String model, boolean stream, String id, String body) {}

  private Asked ask(String format, String model, boolean stream) throws Exception {
    fake.enqueue(Reply.text(TEXT).usage(12, 9, 0, 0));
    boolean anthropic = format.equals("anthropic");
    JsonObject body = new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "greet me")));
    if (anthropic) {
      body.put("max_tokens", 100);
    }
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + (anthropic ? "/v1/messages" : "/v1/chat/completions")))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
    HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    String got = new String(response.body(), StandardCharsets.UTF_8);
    assertEquals(200, response.statusCode(), got);
    return new Asked(format, model, stream, response.headers().firstValue("x-ensemble-request-id").orElseThrow(), got);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The text a streamed answer's deltas carried, in the client's format. */
  private static String streamedText(Asked asked) {
    StringBuilder text = new StringBuilder();
    for (String line : asked.body().split("\n")) {
      if (!line.startsWith("data: ") || line.equals("data: [DONE]")) {
        continue;
      }
      JsonObject data = new JsonObject(line.substring(6));
      if (asked.format().equals("anthropic")) {
        if ("content_block_delta".equals(data.getString("type")) && data.getJsonObject("delta").getString("text") != null) {
          text.append(data.getJsonObject("delta").getString("text"));
        }
      } else if (data.getJsonArray("choices") != null && !data.getJsonArray("choices").isEmpty()) {
        String content = data.getJsonArray("choices").getJsonObject(0).getJsonObject("delta", new JsonObject()).getString("content");
        if (content != null) {
          text.append(content);
        }
      }
    }
    return text.toString();
  }

  /** The answer's text as a body in the client's format has it. */
  private static String bodyText(String format, JsonObject body) {
    return format.equals("anthropic") ? body.getJsonArray("content").getJsonObject(0).getString("text")
        : body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  private String segments() throws Exception {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(dir.resolve("responses"))) {
      for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
        all.append(Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return all.toString();
  }

  @Test
  void everyStoredResponseHoldsWhatItsClientGotInEitherFormat() throws Exception {
    node = start();
    List<Asked> asked = new ArrayList<>();
    for (String format : List.of("openai", "anthropic")) {
      for (String model : List.of("gpt-test", "claude-test")) {
        asked.add(ask(format, model, false));
        asked.add(ask(format, model, true));
      }
    }
    await(node.stop()); // every answer is stored by the time the node has stopped
    node = null;
    String onDisk = segments();
    node = start();

    for (Asked a : asked) {
      String what = a.format() + " client, " + a.model() + (a.stream() ? ", streamed" : ", not streamed");
      HttpResponse<String> read = get("/api/v1/responses/" + a.id());
      assertEquals(200, read.statusCode(), what + ": " + read.body());
      JsonObject view = new JsonObject(read.body());
      assertEquals("completed", view.getString("status"), what);
      assertEquals(TEXT, view.getString("text"), what);
      List<JsonObject> events = get("/api/v1/responses/" + a.id() + "/events").body().lines().filter(l -> l.startsWith("data: "))
          .map(l -> new JsonObject(l.substring(6))).toList();
      assertEquals("response.start", events.get(0).getString("type"), what);
      assertEquals(a.id(), events.get(0).getString("id"), what);
      assertEquals("response.end", events.get(events.size() - 1).getString("type"), what);
      assertEquals(9L, events.get(events.size() - 1).getJsonObject("usage").getLong("output"), what);
      StringBuilder deltas = new StringBuilder();
      for (int seq = 0; seq < events.size(); seq++) {
        assertEquals(seq, events.get(seq).getInteger("seq"), what);
        if ("block.delta".equals(events.get(seq).getString("type"))) {
          deltas.append(events.get(seq).getString("text"));
        }
      }
      assertEquals(TEXT, deltas.toString(), what);
      if (a.stream()) {
        assertEquals(TEXT, streamedText(a), what + ": what the client's deltas carried");
        assertEquals(TEXT, bodyText(a.format(), view.getJsonObject("body")), what);
      } else {
        assertEquals(new JsonObject(a.body()), view.getJsonObject("body"), what);
        assertTrue(onDisk.contains("\"body\":" + a.body() + ","), what + ": the body stored as the bytes the client got");
      }
    }
    assertFalse(onDisk.isEmpty());
  }

  @Test
  void aStoredResponsesApiAnswerIsReadBackAsTheBytesItsClientGot() throws Exception {
    node = start();
    fake.enqueue(Reply.text(TEXT).usage(12, 9, 0, 0));
    HttpResponse<byte[]> created = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/v1/responses"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", "gpt-test").put("input", "greet me").encode())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    String got = new String(created.body(), StandardCharsets.UTF_8);
    assertEquals(200, created.statusCode(), got);
    String id = new JsonObject(got).getString("id");
    await(node.stop());
    node = start();

    HttpResponse<byte[]> read = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/v1/responses/" + id))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(200, read.statusCode());
    assertEquals(got, new String(read.body(), StandardCharsets.UTF_8), "GET /v1/responses/{id} gives back the very bytes");
    assertTrue(segments().contains("\"body\":" + got + ","), "stored as the bytes the client got");
  }
}
