package dev.ensemble.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStatus;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenAI's background mode through the gateway: a non-streamed {@code background: true} request to a model with an
 * OpenAI target is created upstream ({@code queued}), polled with {@code GET /v1/responses/{id}} through the same
 * endpoint and key until it is finished, then stored and billed once (whatever number of polls race for it), and
 * cancelled with {@code POST /v1/responses/{id}/cancel}; only its client (or the admin) sees it. Raw HTTP and the
 * official OpenAI Java SDK, against the fake's Responses API.
 */
class ResponsesBackgroundIT {

  private static final String ADMIN_KEY = "adm-responses-background-0001";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, ResponsesBackgroundIT::config);

  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static String alice;
  private static String bob;
  private static OpenAIClient sdk;

  static String config(FakeUpstreamExtension f) {
    return """
        server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, admin_key: %s, require_client_keys: true }
        responses: { store: local, local_dir: %s }
        providers:
          oai:
            type: openai
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: oai-1 } ] } ]
          ant:
            type: anthropic
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: ant-1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 0.15, output: 0.60, cache_read: 0.075 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
          claude-test:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("background"), f.openAiBaseUrl(), GatewayExtension.OPENAI_KEY,
        f.baseUrl(), GatewayExtension.ANTHROPIC_KEY);
  }

  @BeforeAll
  static void clients() {
    alice = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "alice")).getString("key");
    bob = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "bob")).getString("key");
    sdk = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(alice).maxRetries(0).timeout(Duration.ofSeconds(20)).build();
  }

  @AfterAll
  static void disconnect() {
    sdk.close();
  }

  @BeforeEach
  void fresh() {
    fake.reset();
  }

  @Test
  void aBackgroundResponseIsPolledThroughItsEndpointToCompletionThenStoredAndBilledOnce() throws Exception {
    fake.server().backgroundPolls(2);
    JsonObject before = ledgerRow();
    fake.enqueue(Reply.text("The long answer."));

    HttpResponse<String> created = post("/v1/responses", alice, background("write a long essay"));

    assertEquals(200, created.statusCode(), created.body());
    JsonObject queued = new JsonObject(created.body());
    String id = created.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(id, queued.getString("id"));
    assertEquals("gpt-test", queued.getString("model"));
    assertEquals("queued", queued.getString("status"));
    assertTrue(queued.getBoolean("background"));
    assertTrue(fake.lastRequest().json().getBoolean("background"));

    JsonObject first = new JsonObject(get("/v1/responses/" + id, alice).body());
    assertEquals("in_progress", first.getString("status"));
    assertEquals(id, first.getString("id"), "the gateway's id, never the upstream's");
    assertEquals("gpt-test", first.getString("model"));
    RecordedRequest poll = fake.lastRequest();
    assertEquals("GET", poll.method());
    assertTrue(poll.path().matches("/v1/responses/resp_FAKE\\d+"), "the upstream's own id: " + poll.path());
    assertEquals("Bearer " + GatewayExtension.OPENAI_KEY, poll.header("authorization"), "the key that created it");
    assertEquals("in_progress", new JsonObject(get("/v1/responses/" + id, alice).body()).getString("status"));
    assertEquals(0L, ledgerRow().getLong("output") - before.getLong("output"), "nothing billed while it runs");

    HttpResponse<String> finished = get("/v1/responses/" + id, alice);
    JsonObject done = new JsonObject(finished.body());
    assertEquals("completed", done.getString("status"), finished.body());
    assertEquals(id, done.getString("id"));
    assertEquals("The long answer.", done.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"));
    int output = done.getJsonObject("usage").getInteger("output_tokens");
    int requests = fake.requestCount();

    assertEquals(done, new JsonObject(get("/v1/responses/" + id, alice).body()), "the stored final object");
    assertEquals(requests, fake.requestCount(), "a finished response is read from the store, not upstream");
    JsonObject persisted = new JsonObject(get("/api/v1/responses/" + id, alice).body());
    assertEquals("completed", persisted.getString("status"));
    assertEquals("The long answer.", persisted.getString("text"));
    assertEquals(output, persisted.getJsonObject("usage").getInteger("output"));
    assertTrue(Double.parseDouble(persisted.getString("cost_usd")) > 0, persisted.encode());
    assertNull(persisted.getValue("background"), "where it ran is not shown");
    assertEquals((long) output, ledgerRow().getLong("output") - before.getLong("output"), "billed once, with the upstream's usage");
  }

  @Test
  void pollsRacingForTheFinishedResponseBillItOnce() throws Exception {
    fake.server().backgroundPolls(0);
    JsonObject before = ledgerRow();
    BigDecimal spentBefore = spentByAlice();
    String id = new JsonObject(post("/v1/responses", alice, background("race")).body()).getString("id");

    List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      polls.add(http.sendAsync(HttpRequest.newBuilder(uri("/v1/responses/" + id)).header("Authorization", "Bearer " + alice).GET().build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    int output = -1;
    for (CompletableFuture<HttpResponse<String>> poll : polls) {
      JsonObject body = new JsonObject(poll.get().body());
      assertEquals("completed", body.getString("status"), body.encode());
      output = body.getJsonObject("usage").getInteger("output_tokens");
    }
    assertEquals((long) output, ledgerRow().getLong("output") - before.getLong("output"), "four polls, one ledger row");
    BigDecimal cost = new BigDecimal(new JsonObject(get("/api/v1/responses/" + id, alice).body()).getString("cost_usd"));
    assertTrue(cost.signum() > 0);
    assertEquals(0, cost.compareTo(spentByAlice().subtract(spentBefore)), "four polls, the client's spend grows by the cost once");
  }

  private static BigDecimal spentByAlice() throws Exception {
    JsonArray clients = new JsonObject(get("/admin/clients", ADMIN_KEY).body()).getJsonArray("clients");
    return clients.stream().map(JsonObject.class::cast).filter(c -> "alice".equals(c.getString("name")))
        .map(c -> new BigDecimal(c.getString("spent_this_month_usd"))).findFirst().orElseThrow();
  }

  @Test
  void cancelStopsItUpstreamAndIsStoredCancelled() throws Exception {
    fake.server().backgroundPolls(5);
    String id = new JsonObject(post("/v1/responses", alice, background("never mind")).body()).getString("id");

    HttpResponse<String> cancelled = post("/v1/responses/" + id + "/cancel", alice, null);

    assertEquals(200, cancelled.statusCode(), cancelled.body());
    JsonObject body = new JsonObject(cancelled.body());
    assertEquals("cancelled", body.getString("status"));
    assertEquals(id, body.getString("id"));
    assertEquals("POST", fake.lastRequest().method());
    assertTrue(fake.lastRequest().path().matches("/v1/responses/resp_FAKE\\d+/cancel"), fake.lastRequest().path());
    int requests = fake.requestCount();
    assertEquals("cancelled", new JsonObject(get("/v1/responses/" + id, alice).body()).getString("status"));
    assertEquals("cancelled", new JsonObject(post("/v1/responses/" + id + "/cancel", alice, null).body()).getString("status"),
        "cancelling twice is harmless");
    assertEquals(requests, fake.requestCount(), "a cancelled response is read from the store");
    assertEquals("failed", new JsonObject(get("/api/v1/responses/" + id, alice).body()).getString("status"));
  }

  @Test
  void anotherClientOrAnUnknownIdIsNotFoundAndOnlyBackgroundResponsesCancel() throws Exception {
    String id = new JsonObject(post("/v1/responses", alice, background("mine")).body()).getString("id");
    int requests = fake.requestCount();

    for (HttpResponse<String> foreign : List.of(get("/v1/responses/" + id, bob), post("/v1/responses/" + id + "/cancel", bob, null),
        post("/v1/responses/resp_unknown/cancel", alice, null))) {
      assertEquals(404, foreign.statusCode(), foreign.body());
      JsonObject error = new JsonObject(foreign.body()).getJsonObject("error");
      assertEquals("invalid_request_error", error.getString("type"));
      assertEquals("id", error.getString("param"));
    }
    assertEquals(requests, fake.requestCount(), "nothing reached the upstream for them");
    assertEquals(200, get("/v1/responses/" + id, ADMIN_KEY).statusCode(), "the admin reads every response");

    String sync = new JsonObject(post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "now")).body()).getString("id");
    HttpResponse<String> refused = post("/v1/responses/" + sync + "/cancel", alice, null);
    assertEquals(400, refused.statusCode(), refused.body());
    assertTrue(new JsonObject(refused.body()).getJsonObject("error").getString("message").contains("Cannot cancel a synchronous response"));
  }

  @Test
  void aModelWithoutAnOpenAiTargetOrWithoutStoreIsA400NamingTheField() throws Exception {
    HttpResponse<String> claude = post("/v1/responses", alice, background("hi").put("model", "claude-test"));
    assertEquals(400, claude.statusCode(), claude.body());
    assertEquals("background", new JsonObject(claude.body()).getJsonObject("error").getString("param"));
    HttpResponse<String> unstored = post("/v1/responses", alice, background("hi").put("store", false));
    assertEquals(400, unstored.statusCode(), unstored.body());
    assertEquals("store", new JsonObject(unstored.body()).getJsonObject("error").getString("param"));
    assertEquals(0, fake.requestCount());
  }

  @Test
  void theOpenAiSdkCreatesPollsAndCancelsBackgroundResponses() {
    fake.server().backgroundPolls(1);
    Response created = sdk.responses().create(ResponseCreateParams.builder().model("gpt-test").input("essay please").background(true).build());
    assertEquals(ResponseStatus.QUEUED, created.status().orElseThrow());
    Response polled = created;
    for (int i = 0; i < 5 && !polled.status().orElseThrow().equals(ResponseStatus.COMPLETED); i++) {
      polled = sdk.responses().retrieve(created.id());
    }
    assertEquals(ResponseStatus.COMPLETED, polled.status().orElseThrow());
    assertEquals(created.id(), polled.id());
    assertEquals("echo: essay please", polled.output().get(0).asMessage().content().get(0).asOutputText().text());

    Response other = sdk.responses().create(ResponseCreateParams.builder().model("gpt-test").input("stop").background(true).build());
    assertEquals(ResponseStatus.CANCELLED, sdk.responses().cancel(other.id()).status().orElseThrow());
    assertThrows(NotFoundException.class, () -> sdk.responses().retrieve("resp_not_there"));
  }

  private static JsonObject background(String input) {
    return new JsonObject().put("model", "gpt-test").put("input", input).put("background", true);
  }

  private static JsonObject ledgerRow() throws Exception {
    JsonArray rows = new JsonObject(get("/admin/usage?from=2000-01-01&group_by=provider,model", ADMIN_KEY).body()).getJsonArray("rows");
    return rows.stream().map(JsonObject.class::cast).filter(r -> "oai".equals(r.getString("provider")) && "gpt-test".equals(r.getString("model")))
        .findFirst().orElse(new JsonObject().put("output", 0L));
  }

  private static HttpResponse<String> post(String path, String key, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create(gateway.baseUrl() + path);
  }
}
