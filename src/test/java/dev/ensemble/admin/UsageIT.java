package dev.ensemble.admin;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /admin/usage} over a real node whose ledger is a SQLite file: rows for OpenAI- and
 * Anthropic-format upstreams with hand-computed costs, grouping, time ranges, bad parameters and auth. Every
 * test only counts requests it made itself, by querying from the instant it started.
 */
class UsageIT {

  private static final String ADMIN_KEY = "admin-usage-0123456789";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f ->
      GatewayExtension.standardConfig(f).replace("server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }",
          "server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, admin_key: " + ADMIN_KEY + " }"));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> openAi(String model, boolean stream) throws Exception {
    HttpResponse<String> r = post("/v1/chat/completions", new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));
    assertEquals(200, r.statusCode(), r.body());
    return r;
  }

  private HttpResponse<String> anthropic(String model, boolean stream) throws Exception {
    HttpResponse<String> r = post("/v1/messages", new JsonObject().put("model", model).put("max_tokens", 100).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));
    assertEquals(200, r.statusCode(), r.body());
    return r;
  }

  private HttpResponse<String> usage(String query, String adminKey) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/usage" + query)).timeout(Duration.ofSeconds(10));
    if (adminKey != null) {
      b.header("Authorization", "Bearer " + adminKey);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonArray rows(Instant from, String groupBy) throws Exception {
    return rows("?from=" + enc(from.toString()) + (groupBy == null ? "" : "&group_by=" + groupBy));
  }

  private JsonArray rows(String query) throws Exception {
    HttpResponse<String> r = usage(query, ADMIN_KEY);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
    return new JsonObject(r.body()).getJsonArray("rows");
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static BigDecimal cost(JsonObject row) {
    return new BigDecimal(row.getValue("cost_usd").toString());
  }

  private static Instant start() {
    return Instant.ofEpochMilli(System.currentTimeMillis());
  }

  @Test
  void anOpenAiAnswerToAnOpenAiClientIsTheUpstreamsOwnBytesWithTheGatewaysIdModelAndTimeAndIsBilledFromItsUsage() throws Exception {
    Instant from = start();
    String upstream = "{\n  \"id\": \"chatcmpl-upstream\",\n  \"object\": \"chat.completion\",\n  \"created\": 1735689600,\n"
        + "  \"model\": \"gpt-4o-mini-2024-07-18\",\n  \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", "
        + "\"content\": \"Passed \\\"as is\\\" \u00e9 \\u00e9\", \"refusal\": null, \"annotations\": []}, \"logprobs\": null, "
        + "\"finish_reason\": \"stop\"}],\n  \"usage\": {\"prompt_tokens\": 1000, \"completion_tokens\": 200, \"total_tokens\": 1200, "
        + "\"prompt_tokens_details\": {\"cached_tokens\": 400, \"audio_tokens\": 0}, \"completion_tokens_details\": "
        + "{\"reasoning_tokens\": 0, \"audio_tokens\": 0}},\n  \"service_tier\": \"default\",\n  \"system_fingerprint\": \"fp_test\"\n}\n";
    fake.enqueue(Reply.raw(200, "application/json", upstream));

    HttpResponse<String> answer = openAi("gpt-test", false);

    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    long created = new JsonObject(answer.body()).getLong("created");
    assertTrue(Math.abs(created - System.currentTimeMillis() / 1000) < 600, "the gateway's creation time: " + answer.body());
    assertEquals(upstream.replace("\"chatcmpl-upstream\"", "\"chatcmpl-" + id + "\"").replace("\"gpt-4o-mini-2024-07-18\"", "\"gpt-test\"")
        .replace("1735689600", Long.toString(created)), answer.body(), "the upstream's bytes, but for the gateway's own values");
    assertEquals("application/json", answer.headers().firstValue("content-type").orElse(""));
    JsonObject stored = storedResponse(id);
    assertEquals(new JsonObject(answer.body()), stored.getJsonObject("body"), "the store keeps what the client got");
    assertEquals("Passed \"as is\" \u00e9 \u00e9", stored.getString("text"));
    // gpt-test: input 0.15, output 0.60, cache_read 0.075 USD per 1M tokens; 600 uncached + 400 cached input, 200 output
    // (600 x 0.15 + 200 x 0.60 + 400 x 0.075) / 1M = (90 + 120 + 30) / 1M = 0.00024
    JsonArray rows = rows(from, "provider,model");
    assertEquals(1, rows.size(), rows.encodePrettily());
    JsonObject row = rows.getJsonObject(0);
    assertEquals(600, row.getInteger("input"), row.encode());
    assertEquals(200, row.getInteger("output"), row.encode());
    assertEquals(400, row.getInteger("cache_read"), row.encode());
    assertEquals(0, new BigDecimal("0.00024").compareTo(cost(row)), row.encode());
    assertEquals(0, new BigDecimal("0.00024").compareTo(new BigDecimal(stored.getString("cost_usd"))), stored.encode());
  }

  @Test
  void anAnthropicAnswerToAnAnthropicClientIsTheUpstreamsOwnBytesWithTheGatewaysIdAndModelAndIsBilledFromItsUsage() throws Exception {
    Instant from = start();
    String upstream = "{\"id\":\"msg_upstream\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
        + "\"content\":[{\"type\":\"text\",\"text\":\"Passed as is \u00e9\",\"citations\":null},{\"type\":\"server_tool_use\","
        + "\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"query\":\"x\"}}],\"stop_reason\":\"end_turn\","
        + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":1000,\"cache_creation_input_tokens\":2000,"
        + "\"cache_read_input_tokens\":5000,\"output_tokens\":200,\"service_tier\":\"standard\"}}";
    fake.enqueue(Reply.raw(200, "application/json", upstream));

    HttpResponse<String> answer = anthropic("claude-test", false);

    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(upstream.replace("\"msg_upstream\"", "\"msg_" + id + "\"").replace("\"claude-sonnet-4-5-20250929\"", "\"claude-test\""),
        answer.body(), "the upstream's bytes, server tool blocks included, but for the gateway's own values");
    JsonObject stored = storedResponse(id);
    assertEquals(new JsonObject(answer.body()), stored.getJsonObject("body"), "the store keeps what the client got");
    assertEquals("Passed as is \u00e9", stored.getString("text"));
    // (1000 x 3.00 + 200 x 15.00 + 5000 x 0.30 + 2000 x 3.75) / 1M = 0.015
    JsonArray rows = rows(from, "provider,model");
    assertEquals(1, rows.size(), rows.encodePrettily());
    JsonObject row = rows.getJsonObject(0);
    assertEquals(1000, row.getInteger("input"), row.encode());
    assertEquals(2000, row.getInteger("cache_write"), row.encode());
    assertEquals(0, new BigDecimal("0.015").compareTo(cost(row)), row.encode());
  }

  /** An Anthropic stream as the API sends it: thinking, a block the unified model skips, text, a ping, usage in both ends. */
  private static final String ANTHROPIC_STREAM = ""
      + "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_upstream\",\"type\":\"message\","
      + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
      + "\"usage\":{\"input_tokens\":1000,\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":5000,"
      + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":2000,\"ephemeral_1h_input_tokens\":0},\"output_tokens\":1,"
      + "\"service_tier\":\"standard\"}}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\","
      + "\"thinking\":\"\",\"signature\":\"\"}}\n\n"
      + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
      + "\"thinking\":\"Hmm.\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\","
      + "\"signature\":\"EqQBCgIYAhIM\"}}\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"redacted_thinking\","
      + "\"data\":\"EmwKAhgBEgy3\"}}\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"text_delta\",\"text\":\"Passed \"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"text_delta\","
      + "\"text\":\"as is \u00e9 \\u00e9\"}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"ind\\u0065x\":2,\"delta\":{\"type\":\"text_delta\","
      + "\"text\":\" (read as a tree)\"}}\n\n"
      + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
      + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
      + "\"usage\":{\"output_tokens\":200}}\n\n"
      + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

  @Test
  void anAnthropicStreamToAnAnthropicClientIsTheUpstreamsOwnEventsWithTheGatewaysIdAndModelAndIsBilledFromItsUsage() throws Exception {
    Instant from = start();
    fake.enqueue(Reply.raw(200, "text/event-stream", ANTHROPIC_STREAM));

    HttpResponse<String> answer = anthropic("claude-test", true);

    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(ANTHROPIC_STREAM.replace("\"msg_upstream\"", "\"msg_" + id + "\"").replace("\"claude-sonnet-4-5-20250929\"", "\"claude-test\""),
        answer.body(), "the upstream's events, ping and skipped block included, but for the gateway's own values");
    assertEquals("text/event-stream", answer.headers().firstValue("content-type").orElse(""));
    JsonObject stored = storedResponse(id);
    assertEquals("completed", stored.getString("status"));
    assertEquals("Passed as is \u00e9 \u00e9 (read as a tree)", stored.getString("text"));
    assertEquals("end_turn", stored.getString("stop_reason"));
    assertEquals("msg_" + id, stored.getJsonObject("body").getString("id"));
    assertEquals("claude-test", stored.getJsonObject("body").getString("model"));
    // (1000 x 3.00 + 200 x 15.00 + 5000 x 0.30 + 2000 x 3.75) / 1M = 0.015
    JsonArray rows = rows(from, "provider,model");
    assertEquals(1, rows.size(), rows.encodePrettily());
    JsonObject row = rows.getJsonObject(0);
    assertEquals(1000, row.getInteger("input"), row.encode());
    assertEquals(200, row.getInteger("output"), row.encode());
    assertEquals(5000, row.getInteger("cache_read"), row.encode());
    assertEquals(2000, row.getInteger("cache_write"), row.encode());
    assertEquals(0, new BigDecimal("0.015").compareTo(cost(row)), row.encode());
    assertEquals(0, new BigDecimal("0.015").compareTo(new BigDecimal(stored.getString("cost_usd"))), stored.encode());
  }

  @Test
  void anAnthropicStreamThatBreaksMidwayGivesItsClientTheEventsBeforeAndTheGatewaysErrorAndIsStoredFailed() throws Exception {
    Instant from = start();
    String broken = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"text_delta\","
        + "\"text\":\"x\"}},\n\n";
    int cut = ANTHROPIC_STREAM.indexOf("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":2");
    // events 20 ms apart: the ones before the broken event reach the gateway, and its client, in reads of their own
    fake.enqueue(Reply.raw(200, "text/event-stream", ANTHROPIC_STREAM.substring(0, cut) + broken + ANTHROPIC_STREAM.substring(cut))
        .eventDelayMs(20));

    HttpResponse<String> answer = anthropic("claude-test", true);

    String id = answer.headers().firstValue("x-ensemble-request-id").orElseThrow();
    String before = ANTHROPIC_STREAM.substring(0, cut).replace("\"msg_upstream\"", "\"msg_" + id + "\"")
        .replace("\"claude-sonnet-4-5-20250929\"", "\"claude-test\"");
    assertTrue(answer.body().startsWith(before), answer.body());
    String rest = answer.body().substring(before.length());
    assertTrue(rest.startsWith("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\""), rest);
    assertFalse(rest.contains("\"x\"}},"), "nothing of the read that failed reaches the client: " + rest);
    JsonObject stored = storedResponse(id);
    assertEquals("failed", stored.getString("status"), stored.encode());
    JsonArray rows = rows(from, "provider,model");
    assertEquals(1, rows.size(), rows.encodePrettily());
    assertEquals(1, rows.getJsonObject(0).getInteger("requests"), rows.encode());
  }

  private JsonObject storedResponse(String id) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/api/v1/responses/" + id))
        .header("Authorization", "Bearer " + ADMIN_KEY).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  @Test
  void anthropicFormatRequestIsInTheLedgerWithItsExactCost() throws Exception {
    Instant from = start();
    fake.enqueue(Reply.text("hi").usage(1000, 200, 5000, 2000));

    String requestId = anthropic("claude-test", false).headers().firstValue("x-ensemble-request-id").orElseThrow();
    JsonArray rows = rows(from, "provider,endpoint,model");

    // claude-test: input 3.00, output 15.00, cache_read 0.30, cache_write 3.75 USD per 1M tokens
    // (1000 x 3.00 + 200 x 15.00 + 5000 x 0.30 + 2000 x 3.75) / 1M = (3000 + 3000 + 1500 + 7500) / 1M = 0.015
    assertEquals(1, rows.size(), rows.encodePrettily());
    JsonObject row = rows.getJsonObject(0);
    assertEquals(new JsonObject().put("provider", "ant").put("endpoint", "ant-1").put("model", "claude-test").put("requests", 1)
        .put("input", 1000).put("output", 200).put("cache_read", 5000).put("cache_write", 2000).put("cache_hits", 0).put("saved_usd", 0)
        .put("reasoning", 0), copyWithout(row, "cost_usd"));
    assertEquals(0, new BigDecimal("0.015").compareTo(cost(row)), row.encode());
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT cost_e10_usd, status, attempts, upstream_model, stream, ttfb_ms FROM usage_ledger"
             + " WHERE request_id = '" + requestId + "'")) {
      assertTrue(rs.next(), "the row is stored under the request id");
      assertEquals(150_000_000L, rs.getLong(1));
      assertEquals(200, rs.getInt(2));
      assertEquals(1, rs.getInt(3));
      assertEquals("claude-sonnet-4-5-20250929", rs.getString(4));
      assertEquals(0, rs.getInt(5));
    }
  }

  @Test
  void openAiFormatRequestIsInTheLedgerWithItsExactCost() throws Exception {
    Instant from = start();
    // The fake reports prompt_tokens 5000 with 4000 cached: 1000 uncached input, 4000 cache reads.
    fake.enqueue(Reply.text("hi").usage(1000, 200, 4000, 0));

    openAi("gpt-test", true);
    JsonArray rows = rows(from, "model");

    // gpt-test: input 0.15, output 0.60, cache_read 0.075 USD per 1M tokens
    // (1000 x 0.15 + 200 x 0.60 + 4000 x 0.075) / 1M = (150 + 120 + 300) / 1M = 0.00057
    assertEquals(1, rows.size(), rows.encodePrettily());
    JsonObject row = rows.getJsonObject(0);
    assertEquals("gpt-test", row.getString("model"));
    assertEquals(1000L, row.getLong("input"));
    assertEquals(200L, row.getLong("output"));
    assertEquals(4000L, row.getLong("cache_read"));
    assertEquals(0L, row.getLong("cache_write"), "OpenAI reports no cache writes");
    assertEquals(0, new BigDecimal("0.00057").compareTo(cost(row)), row.encode());
  }

  @Test
  void groupsByTheRequestedColumnsOnlyAndSumsExactly() throws Exception {
    Instant from = start();
    fake.enqueue(Reply.text("a").usage(1000, 200, 5000, 2000), Reply.text("b").usage(1000, 200, 5000, 2000),
        Reply.text("c").usage(1000, 200, 4000, 0));
    anthropic("claude-test", false);
    anthropic("claude-test", true);
    openAi("gpt-test", false);

    JsonArray byProvider = rows(from, "provider");
    JsonArray byModelAndClient = rows(from, "model,client");
    JsonArray total = rows(from, null);

    assertEquals(2, byProvider.size(), byProvider.encodePrettily());
    assertEquals("ant", byProvider.getJsonObject(0).getString("provider"));
    assertEquals(2L, byProvider.getJsonObject(0).getLong("requests"));
    assertEquals(0, new BigDecimal("0.030").compareTo(cost(byProvider.getJsonObject(0))));
    assertEquals("oai", byProvider.getJsonObject(1).getString("provider"));
    assertEquals(java.util.Set.of("provider", "requests", "input", "output", "cache_read", "cache_write", "cost_usd", "cache_hits",
        "saved_usd", "reasoning"), byProvider.getJsonObject(0).fieldNames());
    assertEquals(java.util.Set.of("model", "client", "requests", "input", "output", "cache_read", "cache_write", "cost_usd",
        "cache_hits", "saved_usd", "reasoning"), byModelAndClient.getJsonObject(0).fieldNames());
    assertEquals(1, total.size());
    JsonObject sum = total.getJsonObject(0);
    assertEquals(3L, sum.getLong("requests"));
    assertEquals(3000L, sum.getLong("input"));
    assertEquals(14000L, sum.getLong("cache_read"));
    // 2 x 0.015 + 0.00057
    assertEquals(0, new BigDecimal("0.03057").compareTo(cost(sum)), sum.encode());
  }

  @Test
  void theRangeIncludesFromAndExcludesTo() throws Exception {
    fake.enqueue(Reply.text("hi").usage(10, 10, 0, 0));
    String id = anthropic("claude-test", false).headers().firstValue("x-ensemble-request-id").orElseThrow();
    rows(start(), null);
    Instant finished;
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + gateway.sqlitePath());
         ResultSet rs = c.createStatement().executeQuery("SELECT finished_at FROM usage_ledger WHERE request_id = '" + id + "'")) {
      assertTrue(rs.next());
      finished = Instant.ofEpochMilli(rs.getLong(1));
    }

    String hourBefore = enc(finished.minusSeconds(3600).toString());
    long before = rows("?from=" + hourBefore + "&to=" + enc(finished.toString())).getJsonObject(0).getLong("requests");
    long through = rows("?from=" + hourBefore + "&to=" + enc(finished.plusMillis(1).toString())).getJsonObject(0).getLong("requests");
    JsonArray exactly = rows("?from=" + enc(finished.toString()) + "&to=" + enc(finished.plusMillis(1).toString()) + "&group_by=model");
    JsonArray longAgo = rows("?from=2000-01-01&to=2000-01-02T00:00:00%2B02:00&group_by=provider");

    assertEquals(1, through - before, "'to' is exclusive");
    assertEquals(1, exactly.size(), exactly.encodePrettily());
    assertEquals(1L, exactly.getJsonObject(0).getLong("requests"), "'from' is inclusive");
    assertEquals(0, longAgo.size(), longAgo.encodePrettily());
  }

  @Test
  void badParametersAre400sNamingTheParameter() throws Exception {
    for (String[] c : new String[][] {
        {"?from=yesterday", "from"}, {"?to=2026-13-45T00:00:00Z", "to"}, {"?group_by=provider,region", "group_by"},
        {"?group_by=model,model", "group_by"}, {"?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"}}) {
      HttpResponse<String> r = usage(c[0], ADMIN_KEY);
      assertEquals(400, r.statusCode(), c[0] + " " + r.body());
      JsonObject error = new JsonObject(r.body()).getJsonObject("error");
      assertEquals(c[1], error.getString("param"), r.body());
      assertEquals("invalid_request_error", error.getString("type"));
    }
  }

  @Test
  void usageNeedsTheAdminKey() throws Exception {
    assertEquals(401, usage("", null).statusCode());
    assertEquals(401, usage("", "wrong-key").statusCode());
    assertEquals(200, usage("", ADMIN_KEY).statusCode());
  }

  @Test
  void adminStatusShowsThePersistenceSection() throws Exception {
    fake.enqueue(Reply.text("hi"));
    anthropic("claude-test", false);
    rows(start(), null);

    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/admin/status"))
        .header("Authorization", "Bearer " + ADMIN_KEY).build(), HttpResponse.BodyHandlers.ofString());
    JsonObject persistence = new JsonObject(r.body()).getJsonObject("persistence");

    assertEquals(dev.ensemble.persistence.sqlite.Migrations.bundled().latestVersion(), persistence.getInteger("schema_version"), persistence.encode());
    assertEquals("wal", persistence.getString("journal_mode"));
    JsonObject ledger = persistence.getJsonObject("ledger");
    assertTrue(ledger.getLong("written") >= 1, ledger.encode());
    assertEquals(65_536, ledger.getInteger("capacity"));
    assertEquals(0L, ledger.getLong("lost"));
  }

  private static JsonObject copyWithout(JsonObject o, String key) {
    JsonObject copy = o.copy();
    copy.remove(key);
    return copy;
  }
}
