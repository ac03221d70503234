package dev.ensemble.clients;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.ensemble.routing.UsageReport;
import dev.ensemble.testing.UsageReports;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gateway client keys over a real node that requires them, a fake upstream and a real SQLite file: creation
 * (the key shown once, only its hash stored), both client formats, 401s, budgets, per-client rpm, who may read
 * a persisted response, {@code on_disconnect: cancel}, and that no key ever shows up in a log line, an error
 * body or {@code /admin/status}. Every log event of the node is captured for the whole class.
 */
class ClientsIT {

  private static final String ADMIN_KEY = "admin-clients-it-0123456789";
  private static final String MISSING_ID = "01j" + "z".repeat(23);

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake,
      f -> GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, "require_client_keys: true"));

  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();
  private static final List<String> KEYS = new CopyOnWriteArrayList<>();
  private static Level previousLevel;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void captureLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LOGS.setContext(context);
    LOGS.start();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(LOGS);
    Logger ensemble = context.getLogger("dev.ensemble");
    previousLevel = ensemble.getLevel();
    ensemble.setLevel(Level.DEBUG);
    KEYS.add(ADMIN_KEY);
  }

  @AfterAll
  static void noKeyWasEverLogged() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(LOGS);
    context.getLogger("dev.ensemble").setLevel(previousLevel);
    assertNoKeyLogged();
  }

  private static void assertNoKeyLogged() {
    assertFalse(LOGS.list.isEmpty(), "the node logs something (at least its start)");
    for (ILoggingEvent event : LOGS.list) {
      String line = event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
      for (String key : KEYS) {
        assertFalse(line.contains(key), "a key appears in the log line: " + line);
      }
    }
  }

  private static void assertNoKeyIn(String text) {
    for (String key : KEYS) {
      assertFalse(text.contains(key), "a key appears in: " + text);
    }
  }

  // --- helpers ---

  private JsonObject createClient(JsonObject body) {
    JsonObject created = gateway.createClient(ADMIN_KEY, body);
    KEYS.add(created.getString("key"));
    return created;
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    return r;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path));
  }

  private HttpResponse<String> admin(String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder b = request(path).header("Authorization", "Bearer " + ADMIN_KEY).header("content-type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    return send(b);
  }

  private static JsonObject openAiChat(String model, boolean stream) {
    return new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello")));
  }

  private static JsonObject anthropicChat(String model, boolean stream) {
    return openAiChat(model, stream).put("max_tokens", 100);
  }

  /** POST with the given auth headers (name, value, name, value ...). */
  private HttpResponse<String> post(String path, JsonObject body, String... headers) throws Exception {
    HttpRequest.Builder b = request(path).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = send(b);
    assertNoKeyIn(r.body());
    return r;
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = request(path);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> r = send(b);
    assertNoKeyIn(r.body());
    return r;
  }

  private static String bearer(String key) {
    return "Bearer " + key;
  }

  private static String requestId(HttpResponse<?> r) {
    return r.headers().firstValue("x-ensemble-request-id").orElseThrow();
  }

  private JsonArray usageRows(Instant from, String groupBy) throws Exception {
    HttpResponse<String> r = admin("GET", "/admin/usage?from=" + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8)
        + "&group_by=" + groupBy, null);
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body()).getJsonArray("rows");
  }

  // --- tests ---

  @Test
  void theKeyIsShownOnceAndOnlyItsHashIsStored() throws Exception {
    HttpResponse<String> created = admin("POST", "/admin/clients", new JsonObject().put("name", "alice")
        .put("monthly_budget_usd", 25).put("rpm_limit", 600).put("on_disconnect", "cancel"));
    assertEquals(201, created.statusCode(), created.body());
    JsonObject body = new JsonObject(created.body());
    String key = body.getString("key");
    KEYS.add(key);
    assertTrue(key.matches("ens_[0-9A-Za-z]{32}"), key);
    assertEquals("alice", body.getString("name"));
    assertEquals(25, ((Number) body.getValue("monthly_budget_usd")).intValue(), "a JSON number, as it was sent: " + body.encode());
    assertEquals(600, body.getInteger("rpm_limit"));
    assertEquals("cancel", body.getString("on_disconnect"));
    String id = body.getString("id");

    HttpResponse<String> listed = admin("GET", "/admin/clients", null);
    assertEquals(200, listed.statusCode());
    assertFalse(listed.body().contains(key), "GET never shows a key");
    assertFalse(listed.body().contains(ClientKeys.hash(key)), "GET does not show the hash either");
    JsonObject alice = null;
    for (Object c : new JsonObject(listed.body()).getJsonArray("clients")) {
      if (id.equals(((JsonObject) c).getString("id"))) {
        alice = (JsonObject) c;
      }
    }
    assertNotNull(alice, listed.body());
    assertNull(alice.getValue("key"));
    assertEquals(25, ((Number) alice.getValue("monthly_budget_usd")).intValue(), alice.encode());
    assertEquals(0, ((Number) alice.getValue("spent_this_month_usd")).intValue(), alice.encode());

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT json_extract(body, '$.key_hash') FROM shared_entries WHERE kind = 'client' AND id = '" + id + "'")) {
      assertTrue(rs.next());
      assertEquals(ClientKeys.hash(key), rs.getString(1));
    }
    for (String suffix : new String[] {"", "-wal", "-shm"}) {
      Path file = Path.of(gateway.sqlitePath() + suffix);
      if (Files.exists(file)) {
        String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertFalse(bytes.contains(key), "the key is in " + file);
        assertFalse(bytes.contains(key.substring(4)), "the key's random part is in " + file);
      }
    }
  }

  @Test
  void aClientKeyWorksInBothFormatsAndItsUsageIsGroupedByClient() throws Exception {
    JsonObject client = createClient(new JsonObject().put("name", "bob"));
    String key = client.getString("key");
    Instant from = Instant.now();

    assertEquals(200, post("/v1/chat/completions", openAiChat("gpt-test", false), "Authorization", bearer(key)).statusCode());
    assertEquals(200, post("/v1/messages", anthropicChat("claude-test", true), "x-api-key", key).statusCode());
    assertEquals(200, post("/v1/messages", anthropicChat("gpt-test", false), "Authorization", bearer(key)).statusCode());
    assertEquals(200, post("/v1/workflows/summarize", openAiChat("ignored", false), "Authorization", bearer(key)).statusCode());
    assertEquals(200, get("/v1/models", "Authorization", bearer(key)).statusCode());

    for (RecordedRequest upstream : fake.requests()) {
      upstream.headers().forEach(h -> assertFalse(h.getValue().contains(key), "the client key reached the upstream in " + h.getKey()));
      assertFalse(upstream.bodyText().contains(key));
    }
    JsonArray rows = usageRows(from, "client");
    JsonObject mine = null;
    for (Object r : rows) {
      if (client.getString("id").equals(((JsonObject) r).getString("client"))) {
        mine = (JsonObject) r;
      }
    }
    assertNotNull(mine, rows.encodePrettily());
    assertEquals(4L, mine.getLong("requests"));
  }

  @Test
  void anAnthropicSdkListsAndRetrievesModelsWithItsXApiKey() throws Exception {
    String key = createClient(new JsonObject().put("name", "sdk")).getString("key");
    String unknown = "ens_" + "y".repeat(32);
    KEYS.add(unknown);

    HttpResponse<String> list = get("/v1/models", "x-api-key", key, "anthropic-version", "2023-06-01");
    HttpResponse<String> one = get("/v1/models/claude-test", "x-api-key", key, "anthropic-version", "2023-06-01");
    HttpResponse<String> denied = get("/v1/models", "x-api-key", unknown, "anthropic-version", "2023-06-01");

    assertEquals(200, list.statusCode(), list.body());
    assertEquals("model", new JsonObject(list.body()).getJsonArray("data").getJsonObject(0).getString("type"));
    assertEquals(200, one.statusCode(), one.body());
    assertEquals("claude-test", new JsonObject(one.body()).getString("id"));
    assertEquals(401, denied.statusCode(), denied.body());
    JsonObject error = new JsonObject(denied.body());
    assertEquals("error", error.getString("type"));
    assertEquals("authentication_error", error.getJsonObject("error").getString("type"));
  }

  @Test
  void aMissingOrUnknownKeyIs401InTheRoutesFormat() throws Exception {
    JsonObject deleted = createClient(new JsonObject().put("name", "gone"));
    assertEquals(200, admin("DELETE", "/admin/clients/" + deleted.getString("id"), null).statusCode());
    assertEquals(404, admin("DELETE", "/admin/clients/" + deleted.getString("id"), null).statusCode());
    String unknown = "ens_" + "x".repeat(32);
    KEYS.add(unknown);

    for (String[] auth : new String[][] {{}, {"Authorization", bearer(unknown)}, {"Authorization", bearer(deleted.getString("key"))},
        {"Authorization", bearer(ADMIN_KEY)}}) {
      HttpResponse<String> openAi = post("/v1/chat/completions", openAiChat("gpt-test", false), auth);
      assertEquals(401, openAi.statusCode(), openAi.body());
      assertEquals("authentication_error", new JsonObject(openAi.body()).getJsonObject("error").getString("type"));

      HttpResponse<String> anthropic = post("/v1/messages", anthropicChat("claude-test", false), auth);
      assertEquals(401, anthropic.statusCode(), anthropic.body());
      JsonObject error = new JsonObject(anthropic.body());
      assertEquals("error", error.getString("type"));
      assertEquals("authentication_error", error.getJsonObject("error").getString("type"));

      assertEquals(401, get("/v1/models", auth).statusCode());
    }
    HttpResponse<String> badXApiKey = post("/v1/messages", anthropicChat("claude-test", false), "x-api-key", unknown);
    assertEquals(401, badXApiKey.statusCode());
    assertEquals(0, fake.requestCount(), "nothing reached the upstream");
  }

  @Test
  void aSpentBudgetIs429WithAClearMessage() throws Exception {
    JsonObject client = createClient(new JsonObject().put("name", "tiny").put("monthly_budget_usd", "0.01"));
    String key = client.getString("key");
    // (1000 x 3.00 + 200 x 15.00 + 5000 x 0.30 + 2000 x 3.75) / 1M = 0.015 USD: over the budget in one request
    fake.enqueue(Reply.text("expensive").usage(1000, 200, 5000, 2000));

    assertEquals(200, post("/v1/messages", anthropicChat("claude-test", false), "x-api-key", key).statusCode());
    HttpResponse<String> refused = post("/v1/messages", anthropicChat("claude-test", false), "x-api-key", key);
    HttpResponse<String> refusedOpenAi = post("/v1/chat/completions", openAiChat("claude-test", false), "Authorization", bearer(key));

    assertEquals(429, refused.statusCode(), refused.body());
    String message = new JsonObject(refused.body()).getJsonObject("error").getString("message");
    assertTrue(message.contains("monthly budget of $0.01 for client 'tiny' is spent"), message);
    assertEquals(429, refusedOpenAi.statusCode());
    assertTrue(new JsonObject(refusedOpenAi.body()).getJsonObject("error").getString("message").contains("monthly budget of $0.01"));
    assertEquals(1, fake.requestCount(), "refused requests never reach an upstream");
    JsonObject listed = null;
    for (Object c : new JsonObject(admin("GET", "/admin/clients", null).body()).getJsonArray("clients")) {
      if (client.getString("id").equals(((JsonObject) c).getString("id"))) {
        listed = (JsonObject) c;
      }
    }
    assertNotNull(listed);
    assertEquals(0, new BigDecimal("0.015").compareTo(new BigDecimal(listed.getString("spent_this_month_usd"))), listed.encode());
  }

  @Test
  void aClientOverItsRpmLimitGets429WithRetryAfter() throws Exception {
    String key = createClient(new JsonObject().put("name", "slow").put("rpm_limit", 2)).getString("key");
    String other = createClient(new JsonObject().put("name", "unlimited")).getString("key");

    assertEquals(200, post("/v1/chat/completions", openAiChat("mock-1", false), "Authorization", bearer(key)).statusCode());
    assertEquals(200, post("/v1/chat/completions", openAiChat("mock-1", false), "Authorization", bearer(key)).statusCode());
    HttpResponse<String> limited = post("/v1/chat/completions", openAiChat("mock-1", false), "Authorization", bearer(key));

    assertEquals(429, limited.statusCode(), limited.body());
    long retryAfter = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "retry-after " + retryAfter);
    assertTrue(limited.body().contains("limit of 2 requests per minute"), limited.body());
    assertEquals(200, post("/v1/chat/completions", openAiChat("mock-1", false), "Authorization", bearer(other)).statusCode(),
        "the limit is per client");
  }

  @Test
  void aResponseIsReadableByItsCreatorAndTheAdminOnly() throws Exception {
    String owner = createClient(new JsonObject().put("name", "owner")).getString("key");
    String stranger = createClient(new JsonObject().put("name", "stranger")).getString("key");
    fake.enqueue(Reply.text("private answer"));
    String id;
    try (UsageReports reports = UsageReports.listen(gateway.vertx())) {
      id = requestId(post("/v1/messages", anthropicChat("claude-test", false), "x-api-key", owner));
      reports.of(id).get(10, TimeUnit.SECONDS);
    }

    HttpResponse<String> byOwner = get("/api/v1/responses/" + id, "Authorization", bearer(owner));
    HttpResponse<String> byAdmin = get("/api/v1/responses/" + id, "Authorization", bearer(ADMIN_KEY));
    HttpResponse<String> byStranger = get("/api/v1/responses/" + id, "Authorization", bearer(stranger));
    HttpResponse<String> eventsByStranger = get("/api/v1/responses/" + id + "/events", "Authorization", bearer(stranger));
    HttpResponse<String> eventsByOwner = get("/api/v1/responses/" + id + "/events", "Authorization", bearer(owner));
    HttpResponse<String> anonymous = get("/api/v1/responses/" + id);
    HttpResponse<String> missingByStranger = get("/api/v1/responses/" + MISSING_ID, "Authorization", bearer(stranger));

    assertEquals(200, byOwner.statusCode(), byOwner.body());
    assertEquals("private answer", new JsonObject(byOwner.body()).getString("text"));
    assertNull(new JsonObject(byOwner.body()).getValue("client_id"), "the owner's id is not shown");
    assertEquals(200, byAdmin.statusCode());
    assertEquals(200, eventsByOwner.statusCode());
    assertEquals(404, byStranger.statusCode());
    assertEquals(404, eventsByStranger.statusCode());
    assertEquals(missingByStranger.body().replace(MISSING_ID, id), byStranger.body(),
        "someone else's response looks exactly like a missing one");
    assertEquals(401, anonymous.statusCode());
  }

  @Test
  void onDisconnectCancelCancelsTheUpstreamAndBillsThePartialUsage() throws Exception {
    String key = createClient(new JsonObject().put("name", "impatient").put("on_disconnect", "cancel")).getString("key");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 60; i++) {
      text.append("word").append(i).append(' ');
    }
    // 60 deltas 100 ms apart: 6 s to the end, unless cancelled
    fake.enqueue(Reply.text(text.toString().strip()).usage(1000, 900, 0, 0).eventDelayMs(100));
    UsageReports reports = UsageReports.listen(gateway.vertx());
    Instant from = Instant.now();

    HttpResponse<InputStream> response = http.send(request("/v1/messages").header("content-type", "application/json")
        .header("x-api-key", key).POST(HttpRequest.BodyPublishers.ofString(anthropicChat("claude-test", true).encode())).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    String id = requestId(response);
    InputStream body = response.body();
    String seen = "";
    while (!seen.contains("content_block_delta")) {
      byte[] chunk = new byte[256];
      int n = body.read(chunk);
      assertTrue(n > 0, "the stream ended early: " + seen);
      seen += new String(chunk, 0, n, StandardCharsets.UTF_8);
    }
    body.close();

    RecordedRequest abandoned = fake.server().firstAbandoned().get(3, TimeUnit.SECONDS);
    UsageReport report = reports.of(id).get(3, TimeUnit.SECONDS);
    reports.close();
    assertEquals("/v1/messages", abandoned.path());
    assertEquals(499, report.status());
    JsonObject stored = new JsonObject(get("/api/v1/responses/" + id, "Authorization", bearer(ADMIN_KEY)).body());
    assertEquals("failed", stored.getString("status"), stored.encodePrettily());
    assertTrue(stored.getBoolean("truncated"));
    assertEquals("client_disconnected", stored.getJsonObject("error").getString("type"));
    JsonObject usage = stored.getJsonObject("usage");
    assertEquals(1000L, usage.getLong("input"), "input as the upstream reported it in message_start");
    long output = usage.getLong("output");
    assertTrue(output >= 1 && output < 100, "output estimated from the streamed text, far below a full answer: " + output);
    assertTrue(stored.getString("text").startsWith("word0"), stored.getString("text"));

    JsonObject row = usageRows(from, "client").getJsonObject(0);
    assertEquals(1000L, row.getLong("input"));
    assertEquals(output, row.getLong("output"));
    // (1000 x 3.00 + output x 15.00) / 1M
    BigDecimal expected = new BigDecimal(1000 * 3 + output * 15).movePointLeft(6);
    assertEquals(0, expected.compareTo(new BigDecimal(row.getValue("cost_usd").toString())), row.encode());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT status FROM usage_ledger WHERE request_id = '" + id + "'")) {
      assertTrue(rs.next());
      assertEquals(499, rs.getInt(1), "status 499 marks a client-cancelled row whose usage is partly estimated");
    }
  }

  @Test
  void noKeyAppearsInErrorBodiesOrAdminStatusOrTheLog() throws Exception {
    String key = createClient(new JsonObject().put("name", "careful").put("rpm_limit", 1)).getString("key");
    fake.enqueue(Reply.error(500, "api_error", "upstream broke"), Reply.error(400, "invalid_request_error", "bad"));
    List<HttpResponse<String>> answers = new ArrayList<>();
    answers.add(post("/v1/chat/completions", openAiChat("claude-test", false), "Authorization", bearer(key)));
    answers.add(post("/v1/chat/completions", openAiChat("claude-test", false), "Authorization", bearer(key)));
    answers.add(post("/v1/messages", new JsonObject().put("model", "nope"), "x-api-key", key));
    answers.add(post("/v1/messages", anthropicChat("claude-test", false), "x-api-key", key + "x"));
    answers.add(post("/v1/chat/completions", new JsonObject(), "Authorization", bearer(ADMIN_KEY)));
    HttpResponse<String> status = get("/admin/status", "Authorization", bearer(ADMIN_KEY));
    HttpResponse<String> clients = get("/admin/clients", "Authorization", bearer(ADMIN_KEY));

    assertEquals(200, status.statusCode());
    for (HttpResponse<String> a : answers) {
      assertTrue(a.statusCode() >= 400, a.body());
      assertNoKeyIn(a.body());
      a.headers().map().forEach((name, values) -> values.forEach(v -> assertNoKeyIn(v)));
    }
    assertNoKeyIn(status.body());
    assertNoKeyIn(clients.body());
    assertNoKeyLogged();
  }
}
