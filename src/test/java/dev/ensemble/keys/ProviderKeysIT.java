package dev.ensemble.keys;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

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
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Provider keys added, listed and removed through {@code /admin/keys} on a running node: the pools pick them up
 * without a restart, and the raw key shows up nowhere but in the upstream's {@code Authorization} header.
 */
class ProviderKeysIT {

  static final String ADMIN_KEY = "admin-keys-0123456789";
  static final String CONFIG_KEY = "sk-config-key-cccc-0001";
  static final String NEW_KEY = "sk-admin-added-9f8e7d6c5b4a-zz42";

  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> """
      server: { host: 127.0.0.1, port: 0, admin_key: %s }
      storage: { encryption_key: %s }
      responses: { local_dir: %s }
      providers:
        oai:
          type: openai
          base_url: %s
          keys: []
        cfg:
          type: openai
          base_url: %s
          keys: [ { name: main, api_key: %s, endpoints: [ { id: cfg-1 } ] } ]
      models:
        gpt: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
        cfg-gpt: { providers: [ { provider: cfg, model: gpt-4o-mini } ] }
      """.formatted(ADMIN_KEY, KeyVaultTest.randomKey().value(), GatewayExtension.scratchDir("responses"), f.openAiBaseUrl(),
      f.openAiBaseUrl(), CONFIG_KEY));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<String> added = new ArrayList<>();

  @BeforeAll
  static void captureLogs() {
    LOGS.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(LOGS);
  }

  @AfterAll
  static void releaseLogs() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(LOGS);
  }

  @AfterEach
  void removeAddedKeys() throws Exception {
    for (String id : added) {
      send("DELETE", "/admin/keys/" + id, null, ADMIN_KEY);
    }
  }

  @Test
  void aKeyAddedToAProviderWithoutKeysServesTheNextRequestWithoutARestart() throws Exception {
    assertEquals(503, chat("gpt").statusCode(), "no key yet");

    HttpResponse<String> created = add(newKey("oai", "team-a", NEW_KEY, "oai-admin-1"));
    assertEquals(201, created.statusCode(), created.body());
    JsonObject key = new JsonObject(created.body());
    assertEquals("oai", key.getString("provider"));
    assertEquals("team-a", key.getString("name"));
    assertEquals("sk-...zz42", key.getString("api_key"));
    assertEquals("admin", key.getString("source"));
    assertEquals("oai-admin-1", key.getJsonArray("endpoints").getJsonObject(0).getString("id"));

    HttpResponse<String> served = chat("gpt");
    assertEquals(200, served.statusCode(), served.body());
    assertEquals("oai-admin-1", served.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertEquals("Bearer " + NEW_KEY, fake.lastRequest().header("authorization"));
  }

  @Test
  void theListShowsConfigAndAdminKeysMasked() throws Exception {
    String id = new JsonObject(add(newKey("oai", "team-b", NEW_KEY, "oai-admin-2")).body()).getString("id");

    HttpResponse<String> list = send("GET", "/admin/keys", null, ADMIN_KEY);
    assertEquals(200, list.statusCode(), list.body());
    JsonArray data = new JsonObject(list.body()).getJsonArray("data");
    JsonObject config = find(data, "config:cfg:main");
    assertEquals("config", config.getString("source"));
    assertEquals("sk-...0001", config.getString("api_key"));
    JsonObject admin = find(data, id);
    assertEquals("admin", admin.getString("source"));
    assertEquals("sk-...zz42", admin.getString("api_key"));
    assertFalse(list.body().contains(NEW_KEY));
    assertFalse(list.body().contains(CONFIG_KEY));
  }

  @Test
  void aDeletedKeyIsNoLongerUsed() throws Exception {
    String id = new JsonObject(add(newKey("oai", "team-c", NEW_KEY, "oai-admin-3")).body()).getString("id");
    assertEquals(200, chat("gpt").statusCode());
    int calls = fake.requestCount();

    HttpResponse<String> deleted = send("DELETE", "/admin/keys/" + id, null, ADMIN_KEY);
    assertEquals(204, deleted.statusCode(), deleted.body());

    assertEquals(503, chat("gpt").statusCode());
    assertEquals(calls, fake.requestCount(), "nothing was sent upstream");
    assertEquals(404, send("DELETE", "/admin/keys/" + id, null, ADMIN_KEY).statusCode());
    assertFalse(send("GET", "/admin/keys", null, ADMIN_KEY).body().contains(id));
    JsonObject status = new JsonObject(send("GET", "/admin/status", null, ADMIN_KEY).body());
    assertFalse(status.encode().contains("oai-admin-3"), "the endpoint left the pool's health");
  }

  @Test
  void aKeyAddedNextToARejectedConfigKeyTakesOver() throws Exception {
    fake.server().acceptKeys(NEW_KEY);
    HttpResponse<String> rejected = chat("cfg-gpt");
    assertEquals(502, rejected.statusCode(), rejected.body());

    assertEquals(201, add(newKey("cfg", "spare", NEW_KEY, "cfg-admin-1")).statusCode());

    HttpResponse<String> served = chat("cfg-gpt");
    assertEquals(200, served.statusCode(), served.body());
    assertEquals("cfg-admin-1", served.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertEquals("Bearer " + NEW_KEY, fake.lastRequest().header("authorization"));
  }

  @Test
  void theRawKeyAppearsNowhereButUpstream() throws Exception {
    add(newKey("oai", "team-d", NEW_KEY, "oai-admin-4"));
    assertEquals(200, chat("gpt").statusCode());
    List<String> bodies = new ArrayList<>();
    bodies.add(send("GET", "/admin/keys", null, ADMIN_KEY).body());
    bodies.add(send("GET", "/admin/status", null, ADMIN_KEY).body());
    bodies.add(add(newKey("oai", "team-d", NEW_KEY, "oai-admin-5")).body());
    bodies.add(add(newKey("nope", "x", NEW_KEY, "x-1")).body());
    bodies.add(add(newKey("oai", "team-e", NEW_KEY, "bad id!")).body());
    bodies.add(send("GET", "/metrics", null, null).body());
    for (String body : bodies) {
      assertFalse(body.contains(NEW_KEY), body);
    }

    for (Path file : sqliteFiles()) {
      assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(NEW_KEY), file.toString());
    }
    List<ILoggingEvent> events = List.copyOf(LOGS.list);
    assertFalse(events.isEmpty());
    for (ILoggingEvent event : events) {
      assertFalse(logged(event).contains(NEW_KEY), logged(event));
    }
  }

  @Test
  void invalidKeysAreRefusedNamingTheField() throws Exception {
    assertInvalid(add(newKey("nope", "x", NEW_KEY, "x-1")), 400, "provider");
    assertInvalid(add(newKey("cfg", "main", NEW_KEY, "x-2")), 409, "name");
    assertInvalid(add(newKey("oai", "team-f", NEW_KEY, "cfg-1")), 409, "endpoints");
    assertInvalid(add(newKey("oai", "team-f", NEW_KEY, "bad id!")), 400, "endpoints[0].id");
    assertInvalid(add(newKey("oai", "team-f", "", "x-3")), 400, "api_key");
    assertInvalid(add(newKey("oai", "", NEW_KEY, "x-8")), 400, "name");
    JsonObject zeroLimit = newKey("oai", "team-f", NEW_KEY, "x-4");
    zeroLimit.getJsonArray("endpoints").getJsonObject(0).put("rpm_limit", 0);
    assertInvalid(add(zeroLimit), 400, "endpoints[0].rpm_limit");
    JsonObject ftp = newKey("oai", "team-f", NEW_KEY, "x-5");
    ftp.getJsonArray("endpoints").getJsonObject(0).put("base_url", "ftp://example.com");
    assertInvalid(add(ftp), 400, "endpoints[0].base_url");
    assertInvalid(add(newKey("oai", "team-f", NEW_KEY, "x-6").put("weight", -1)), 400, "weight");
    assertInvalid(add(newKey("oai", "team-f", NEW_KEY, "x-7").put("endpoints", new JsonArray())), 400, "endpoints");
    assertInvalid(send("DELETE", "/admin/keys/config:cfg:main", null, ADMIN_KEY), 409, "id");
    assertEquals(400, send("POST", "/admin/keys", "[1, 2]", ADMIN_KEY).statusCode());
  }

  @Test
  void theKeysApiNeedsTheAdminKey() throws Exception {
    assertEquals(401, send("GET", "/admin/keys", null, null).statusCode());
    assertEquals(401, send("POST", "/admin/keys", newKey("oai", "x", NEW_KEY, "x-1").encode(), "wrong-admin-key-000").statusCode());
    assertEquals(401, send("DELETE", "/admin/keys/pk_1", null, null).statusCode());
    assertFalse(send("GET", "/admin/keys", null, ADMIN_KEY).body().contains("\"name\":\"x\""));
  }

  @Test
  void limitsOfAnAddedEndpointAreEnforced() throws Exception {
    JsonObject limited = newKey("oai", "team-g", NEW_KEY, "oai-admin-6");
    limited.getJsonArray("endpoints").getJsonObject(0).put("rpm_limit", 1);
    assertEquals(201, add(limited).statusCode());

    assertEquals(200, chat("gpt").statusCode());
    assertEquals(429, chat("gpt").statusCode(), "the second request of the minute is over rpm_limit 1");
  }

  static JsonObject newKey(String provider, String name, String apiKey, String endpointId) {
    return new JsonObject().put("provider", provider).put("name", name).put("api_key", apiKey)
        .put("endpoints", new JsonArray().add(new JsonObject().put("id", endpointId)));
  }

  private HttpResponse<String> add(JsonObject key) throws Exception {
    HttpResponse<String> response = send("POST", "/admin/keys", key.encode(), ADMIN_KEY);
    if (response.statusCode() == 201) {
      added.add(new JsonObject(response.body()).getString("id"));
    }
    return response;
  }

  private static void assertInvalid(HttpResponse<String> response, int status, String param) {
    assertEquals(status, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals(param, error.getString("param"), response.body());
    assertTrue(error.getString("message").length() > 10, response.body());
    if (status == 400) {
      assertTrue(error.getString("message").startsWith(param + ": "), "the message names the field too: " + response.body());
    }
  }

  private static JsonObject find(JsonArray data, String id) {
    for (Object o : data) {
      if (((JsonObject) o).getString("id").equals(id)) {
        return (JsonObject) o;
      }
    }
    throw new AssertionError("no key " + id + " in " + data.encode());
  }

  private static List<Path> sqliteFiles() throws Exception {
    Path db = Path.of(gateway.sqlitePath()).toAbsolutePath();
    try (Stream<Path> files = Files.list(db.getParent())) {
      List<Path> out = files.filter(p -> p.getFileName().toString().startsWith(db.getFileName().toString())).toList();
      assertTrue(out.contains(db), out.toString());
      return out;
    }
  }

  private static String logged(ILoggingEvent event) {
    StringBuilder text = new StringBuilder(event.getFormattedMessage());
    for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
      text.append(' ').append(t.getMessage());
    }
    return text.toString();
  }

  private HttpResponse<String> chat(String model) throws Exception {
    String body = new JsonObject().put("model", model)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode();
    return send("POST", "/v1/chat/completions", body, null);
  }

  private HttpResponse<String> send(String method, String path, String body, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("content-type", "application/json");
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
