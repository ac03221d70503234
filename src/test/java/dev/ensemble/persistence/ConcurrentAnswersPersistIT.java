package dev.ensemble.persistence;

import dev.ensemble.node.Gateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many clients answered at once by one node: each answer can be read back and is in the usage ledger the moment
 * its client has it, and every one of them is in the store once the node has stopped.
 */
class ConcurrentAnswersPersistIT {

  private static final String ADMIN_KEY = "admin-concurrent-0123456789";
  private static final int CLIENTS = 120;

  private final NodeDataDir data = new NodeDataDir("concurrent", ADMIN_KEY);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @AfterEach
  void close() throws Exception {
    data.close();
  }

  private HttpRequest.Builder request(Gateway node, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).timeout(Duration.ofSeconds(20));
  }

  /** A chat answer, then at once its stored or live response; the request id and the response's status. */
  private CompletableFuture<String[]> chatThenRead(Gateway node, int i) {
    String body = new JsonObject().put("model", "mock-1")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello " + i))).encode();
    return http.sendAsync(request(node, "/v1/chat/completions").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).thenCompose(answer -> {
          assertEquals(200, answer.statusCode(), answer.body());
          String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
          return http.sendAsync(request(node, "/api/v1/responses/" + id).header("Authorization", "Bearer " + ADMIN_KEY).build(),
              HttpResponse.BodyHandlers.ofString()).thenApply(read -> new String[] {id, read.statusCode() + " " + read.body()});
        });
  }

  @Test
  void everyAnswerOfManyConcurrentClientsIsReadableAtOnceCountedInTheLedgerAndStored() throws Exception {
    Instant from = Instant.now();
    Gateway node = data.start();

    List<CompletableFuture<String[]>> all = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      all.add(chatThenRead(node, i));
    }
    List<String> ids = new ArrayList<>();
    for (CompletableFuture<String[]> f : all) {
      String[] idAndRead = f.get(60, TimeUnit.SECONDS);
      ids.add(idAndRead[0]);
      assertEquals(200, Integer.parseInt(idAndRead[1].substring(0, 3)), idAndRead[1]);
      assertEquals("completed", new JsonObject(idAndRead[1].substring(4)).getString("status"), idAndRead[1]);
    }
    HttpResponse<String> usage = http.send(request(node, "/admin/usage?from=" + from).header("Authorization", "Bearer " + ADMIN_KEY).build(),
        HttpResponse.BodyHandlers.ofString());
    NodeDataDir.await(node.stop());

    assertEquals(200, usage.statusCode(), usage.body());
    assertEquals(CLIENTS, new JsonObject(usage.body()).getJsonArray("rows").getJsonObject(0).getLong("requests"), usage.body());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.db());
         ResultSet rs = c.createStatement().executeQuery("SELECT id FROM responses WHERE status = 'completed'")) {
      List<String> stored = new ArrayList<>();
      while (rs.next()) {
        stored.add(rs.getString(1));
      }
      assertEquals(ids.stream().sorted().toList(), stored.stream().sorted().toList(), "every answer is in the response index");
    }
    Gateway again = data.start();
    for (String id : ids) {
      HttpResponse<String> read = http.send(request(again, "/api/v1/responses/" + id).header("Authorization", "Bearer " + ADMIN_KEY).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, read.statusCode(), read.body());
    }
    NodeDataDir.await(again.stop());
  }
}
