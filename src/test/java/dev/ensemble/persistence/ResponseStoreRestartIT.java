package dev.ensemble.persistence;

import dev.ensemble.node.Gateway;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node stopped and started again on the same local response store: what it stored, deleted or stored the old way. */
class ResponseStoreRestartIT {

  private static final String ADMIN_KEY = "admin-segments-0123456789";

  private final NodeDataDir data = new NodeDataDir("segments", ADMIN_KEY);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Path dir = data.dir();
  private final Path db = data.db();

  @AfterEach
  void close() throws Exception {
    data.close();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return NodeDataDir.await(f);
  }

  private Gateway start() throws Exception {
    return data.start();
  }

  private HttpResponse<String> send(Gateway node, String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private String chat(Gateway node, String text) throws Exception {
    String body = new JsonObject().put("model", "mock-1")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", text))).encode();
    HttpResponse<String> r = send(node, "POST", "/v1/chat/completions", body);
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("x-ensemble-request-id").orElseThrow();
  }

  private String respond(Gateway node, String text) throws Exception {
    HttpResponse<String> r = send(node, "POST", "/v1/responses", new JsonObject().put("model", "mock-1").put("input", text).encode());
    assertEquals(200, r.statusCode(), r.body());
    return r.headers().firstValue("x-ensemble-request-id").orElseThrow();
  }

  /** The stored view, once the store has it (the answer is acknowledged to the client before it is stored). */
  private HttpResponse<String> stored(Gateway node, String id) throws Exception {
    return send(node, "GET", "/api/v1/responses/" + id, null);
  }

  @Test
  void responsesStoredBeforeARestartAreReadBackAfterIt() throws Exception {
    Gateway first = start();
    String a = chat(first, "first question");
    String b = respond(first, "second question");
    await(first.stop());

    Gateway second = start();
    HttpResponse<String> readA = stored(second, a);
    HttpResponse<String> readB = send(second, "GET", "/v1/responses/" + b, null);
    String continued = send(second, "POST", "/v1/responses", new JsonObject().put("model", "mock-1").put("input", "and then?")
        .put("previous_response_id", b).encode()).body();
    await(second.stop());

    assertEquals(200, readA.statusCode(), readA.body());
    assertEquals("completed", new JsonObject(readA.body()).getString("status"));
    assertEquals(a, new JsonObject(readA.body()).getString("id"));
    assertEquals(200, readB.statusCode(), readB.body());
    assertEquals("response", new JsonObject(readB.body()).getString("object"), readB.body());
    assertEquals("completed", new JsonObject(continued).getString("status"), "previous_response_id continues a stored response: " + continued);
    try (var segments = Files.walk(dir.resolve("responses"))) {
      assertTrue(segments.anyMatch(p -> p.getFileName().toString().endsWith(".log")), "stored in segment files");
    }
  }

  @Test
  void aDeletedResponseStaysDeletedAfterARestart() throws Exception {
    Gateway first = start();
    String kept = respond(first, "keep this one");
    String gone = respond(first, "delete this one");
    HttpResponse<String> deleted = send(first, "DELETE", "/v1/responses/" + gone, null);
    await(first.stop());

    Gateway second = start();
    HttpResponse<String> readGone = send(second, "GET", "/v1/responses/" + gone, null);
    HttpResponse<String> readGoneView = stored(second, gone);
    HttpResponse<String> readKept = send(second, "GET", "/v1/responses/" + kept, null);
    await(second.stop());

    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals(404, readGone.statusCode(), readGone.body());
    assertEquals(404, readGoneView.statusCode(), readGoneView.body());
    assertEquals(200, readKept.statusCode(), readKept.body());
  }

  @Test
  void aResponseStoredAsOneFileBeforeSegmentsIsStillRead() throws Exception {
    Gateway first = start(); // creates the schema
    await(first.stop());
    String id = LocalResponseStoreTest.idAt(Instant.now());
    ResponseRecord old = LocalResponseStoreTest.record(id, "stored the old way");
    ResponseRecord anonymous = new ResponseRecord(old.id(), old.status(), old.clientFormat(), old.model(), old.provider(), old.endpoint(),
        old.createdAt(), old.completedAt(), old.text(), old.stopReason(), old.usage(), old.costUsd(), old.truncated(), old.body(),
        old.events(), old.error(), null, old.conversation(), null, null);
    String key = ResponseKeys.of(id).orElseThrow();
    Files.createDirectories(dir.resolve("responses").resolve(key).getParent());
    Files.writeString(dir.resolve("responses").resolve(key), anonymous.toJson().encode());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
         PreparedStatement put = c.prepareStatement("INSERT INTO responses (id, status, client_id, model, provider, created_at, completed_at, store_key)"
             + " VALUES (?, 'completed', NULL, 'gpt-test', 'oai', ?, ?, ?)")) {
      put.setString(1, id);
      put.setLong(2, anonymous.createdAt().toEpochMilli());
      put.setLong(3, anonymous.completedAt().toEpochMilli());
      put.setString(4, key);
      put.executeUpdate();
    }

    Gateway second = start();
    HttpResponse<String> read = stored(second, id);
    await(second.stop());

    assertEquals(200, read.statusCode(), read.body());
    assertEquals("stored the old way", new JsonObject(read.body()).getString("text"));
  }
}
