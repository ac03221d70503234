package dev.ensemble.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What only OpenAI's Responses API serves goes to an OpenAI target's {@code POST /v1/responses} as the client sent it
 * (the model renamed) and comes back whole: built-in tools and their items, encrypted reasoning, background mode, stored
 * prompts, conversations, item references, uploaded files; with routing, failover to another OpenAI target, usage
 * (reasoning tokens included) from the upstream's {@code response.usage}, persistence and {@code previous_response_id}.
 * Custom tools go as is to OpenAI and as one-string-argument functions to Anthropic. Raw HTTP, against the fake's
 * Responses API.
 */
class ResponsesPassthroughIT {

  private static final String ADMIN_KEY = "adm-responses-passthrough-0001";
  private static final String SECOND_OPENAI_KEY = "sk-fake-openai-second-0002";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, ResponsesPassthroughIT::config);

  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static String alice;
  private static String bob;

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
          oai2:
            type: openai
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: second, api_key: %s, endpoints: [ { id: oai2-1 } ] } ]
          ant:
            type: anthropic
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: primary, api_key: %s, endpoints: [ { id: ant-1 } ] } ]
          vllm:
            type: openai
            kind: self_hosted
            base_url: %s
            timeout_ms: 4000
            keys: [ { name: local, api_key: %s, endpoints: [ { id: vllm-1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 0.15, output: 0.60, cache_read: 0.075 }
            providers: [ { provider: oai, model: gpt-4o-mini }, { provider: oai2, model: gpt-4o-mini } ]
          claude-test:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
          llama-test:
            pricing: { input: 0.10, output: 0.10 }
            providers: [ { provider: vllm, model: llama-3.1-8b } ]
        """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("passthrough"), f.openAiBaseUrl(), GatewayExtension.OPENAI_KEY,
        f.openAiBaseUrl(), SECOND_OPENAI_KEY, f.baseUrl(), GatewayExtension.ANTHROPIC_KEY, f.openAiBaseUrl(), GatewayExtension.OPENAI_KEY);
  }

  @BeforeAll
  static void clients() {
    alice = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "alice")).getString("key");
    bob = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "bob")).getString("key");
  }

  @BeforeEach
  void fresh() {
    fake.reset();
  }

  @Test
  void aBuiltInToolReachesOpenAisResponsesApiAsSentAndItsItemsComeBackWhole() throws Exception {
    JsonObject before = ledgerRow("oai", "gpt-test");
    fake.enqueue(Reply.text("Rome is the capital.").reasoningTokens(12));
    JsonObject request = new JsonObject().put("model", "gpt-test").put("input", "capital of Italy?")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "web_search")))
        .put("include", new JsonArray().add("reasoning.encrypted_content")).put("metadata", new JsonObject().put("ticket", "T-9"));

    HttpResponse<String> response = post("/v1/responses", alice, request);

    assertEquals(200, response.statusCode(), response.body());
    RecordedRequest upstream = fake.lastRequest();
    assertEquals("/v1/responses", upstream.path());
    JsonObject sent = upstream.json();
    assertEquals("gpt-4o-mini", sent.getString("model"), "only the model is renamed");
    assertEquals(request.getJsonArray("tools"), sent.getJsonArray("tools"));
    assertEquals(request.getJsonArray("include"), sent.getJsonArray("include"));
    assertEquals("capital of Italy?", sent.getString("input"));
    assertEquals(request.getJsonObject("metadata"), sent.getJsonObject("metadata"));
    JsonObject body = new JsonObject(response.body());
    String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(id, body.getString("id"), "the gateway's id, which GET and previous_response_id take");
    assertEquals("gpt-test", body.getString("model"));
    JsonArray output = body.getJsonArray("output");
    assertEquals(List.of("web_search_call", "reasoning", "message"), output.stream().map(i -> ((JsonObject) i).getString("type")).toList());
    assertEquals("capital of Italy?", output.getJsonObject(0).getJsonObject("action").getString("query"));
    assertTrue(output.getJsonObject(1).getString("encrypted_content").startsWith("fake-enc:"), "OpenAI's encrypted reasoning as is");
    assertEquals("url_citation", output.getJsonObject(2).getJsonArray("content").getJsonObject(0).getJsonArray("annotations")
        .getJsonObject(0).getString("type"));
    JsonObject usage = body.getJsonObject("usage");
    assertEquals(12, usage.getJsonObject("output_tokens_details").getInteger("reasoning_tokens"));
    assertEquals("oai", response.headers().firstValue("x-ensemble-provider").orElseThrow());

    HttpResponse<String> stored = get("/v1/responses/" + id, alice);
    assertEquals(200, stored.statusCode(), stored.body());
    assertEquals(body, new JsonObject(stored.body()), "the stored response is the one the client was given");
    JsonObject persisted = new JsonObject(get("/api/v1/responses/" + id, alice).body());
    assertEquals("Rome is the capital.", persisted.getString("text"));
    assertEquals(12, persisted.getJsonObject("usage").getInteger("reasoning"));
    assertEquals(usage.getInteger("output_tokens"), persisted.getJsonObject("usage").getInteger("output"));
    JsonObject after = ledgerRow("oai", "gpt-test");
    assertEquals(12L, after.getLong("reasoning") - before.getLong("reasoning"), "the ledger keeps the reasoning tokens: " + after);
    assertEquals((long) usage.getInteger("output_tokens"), after.getLong("output") - before.getLong("output"));
  }

  /** The usage ledger's row of {@code provider} and {@code model} (zeros before their first request). */
  private static JsonObject ledgerRow(String provider, String model) throws Exception {
    JsonArray rows = new JsonObject(get("/admin/usage?from=2000-01-01&group_by=provider,model", ADMIN_KEY).body()).getJsonArray("rows");
    return rows.stream().map(JsonObject.class::cast).filter(r -> provider.equals(r.getString("provider")) && model.equals(r.getString("model")))
        .findFirst().orElse(new JsonObject().put("reasoning", 0L).put("output", 0L));
  }

  @Test
  void streamsTheUpstreamsOwnEventsNumberedByTheGatewayWithItsId() throws Exception {
    fake.enqueue(Reply.text("Found it.").reasoningTokens(3));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("stream", true)
        .put("input", "search something").put("tools", new JsonArray().add(new JsonObject().put("type", "web_search_preview"))));

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(fake.lastRequest().json().getBoolean("stream"));
    List<JsonObject> events = ResponsesApiWireIT.events(response.body());
    List<String> types = events.stream().map(e -> e.getString("type")).distinct().toList();
    assertTrue(types.containsAll(List.of("response.web_search_call.in_progress", "response.web_search_call.searching",
        "response.web_search_call.completed")), types.toString());
    assertEquals("response.created", types.get(0));
    assertEquals("response.completed", types.get(types.size() - 1));
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i, events.get(i).getInteger("sequence_number"));
    }
    String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(id, events.get(0).getJsonObject("response").getString("id"));
    JsonObject completed = events.get(events.size() - 1).getJsonObject("response");
    assertEquals(id, completed.getString("id"));
    assertEquals("gpt-test", completed.getString("model"));
    assertEquals(3, completed.getJsonObject("usage").getJsonObject("output_tokens_details").getInteger("reasoning_tokens"));
    JsonObject stored = new JsonObject(get("/v1/responses/" + id, alice).body());
    assertEquals(completed, stored, "the stored response is the completed one streamed");
    assertEquals("Found it.", new JsonObject(get("/api/v1/responses/" + id, alice).body()).getString("text"));
  }

  @Test
  void anUpstreamErrorMidStreamEndsTheRelayedStreamWithErrorThenFailedAndIsStoredFailed() throws Exception {
    fake.enqueue(Reply.text("partial answer").midStreamError(3, "server_error", "upstream broke"));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("stream", true)
        .put("input", "hi").put("tools", new JsonArray().add(new JsonObject().put("type", "web_search"))));

    List<JsonObject> events = ResponsesApiWireIT.events(response.body());
    List<String> types = events.stream().map(e -> e.getString("type")).toList();
    assertEquals(List.of("error", "response.failed"), types.subList(types.size() - 2, types.size()), types.toString());
    assertEquals(1, types.stream().filter("error"::equals).count(), "one error event");
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i, events.get(i).getInteger("sequence_number"));
    }
    String id = response.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals("failed", new JsonObject(get("/api/v1/responses/" + id, alice).body()).getString("status"));
  }

  @Test
  void backgroundPromptsConversationsItemReferencesAndUploadedFilesPassThrough() throws Exception {
    fake.enqueue(Reply.text("first"));
    JsonObject first = new JsonObject(post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "hi")
        .put("store", false).put("tools", new JsonArray().add(new JsonObject().put("type", "web_search")))).body());
    String upstreamItem = first.getJsonArray("output").getJsonObject(1).getString("id");

    HttpResponse<String> background = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "long job")
        .put("background", true).put("stream", true));
    assertEquals(200, background.statusCode(), background.body());
    assertTrue(fake.lastRequest().json().getBoolean("background"));
    List<JsonObject> events = ResponsesApiWireIT.events(background.body());
    JsonObject completed = events.get(events.size() - 1).getJsonObject("response");
    assertTrue(completed.getBoolean("background"));
    assertEquals("echo: long job", completed.getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"));
    HttpResponse<String> polled = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "long job")
        .put("background", true));
    assertEquals(200, polled.statusCode(), "a non-streamed one is polled later through the gateway (ResponsesBackgroundIT)");
    assertEquals("queued", new JsonObject(polled.body()).getString("status"));

    JsonObject prompt = new JsonObject().put("id", "pmpt_1").put("variables", new JsonObject().put("city", "Paris"));
    assertEquals(200, post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("prompt", prompt)
        .put("conversation", "conv_1")).statusCode());
    assertEquals(prompt, fake.lastRequest().json().getJsonObject("prompt"));
    assertEquals("conv_1", fake.lastRequest().json().getString("conversation"));

    JsonArray input = new JsonArray().add(new JsonObject().put("type", "item_reference").put("id", upstreamItem))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", "and this file?"))
            .add(new JsonObject().put("type", "input_file").put("file_id", "file-abc"))));
    HttpResponse<String> referenced = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", input));
    assertEquals(200, referenced.statusCode(), referenced.body());
    assertEquals(input, fake.lastRequest().json().getJsonArray("input"));
  }

  @Test
  void aCodexSessionGetsOpenAisEncryptedReasoningBackAndEnsemblesOwnIsLeftOut() throws Exception {
    JsonObject turn = new JsonObject().put("model", "gpt-test").put("store", false).put("prompt_cache_key", "codex-session-1")
        .put("include", new JsonArray().add("reasoning.encrypted_content"));
    fake.enqueue(Reply.toolCall("call_1", "shell", "{\"cmd\":\"ls\"}"));
    JsonArray history = new JsonArray().add(new JsonObject().put("role", "user").put("content", "list files"));
    JsonObject first = new JsonObject(post("/v1/responses", alice, turn.copy().put("input", history)
        .put("tools", new JsonArray().add(shellTool()))).body());
    JsonObject reasoning = first.getJsonArray("output").getJsonObject(0);
    assertEquals("reasoning", reasoning.getString("type"));

    history.add(reasoning).add(first.getJsonArray("output").getJsonObject(1))
        .add(new JsonObject().put("type", "reasoning").put("summary", new JsonArray())
            .put("encrypted_content", "ensemble:v1:eyJ0aGlua2luZyI6IngiLCJzaWduYXR1cmUiOiJzIn0="))
        .add(new JsonObject().put("type", "function_call_output").put("call_id", "call_1").put("output", "a.txt"));
    fake.enqueue(Reply.text("One file: a.txt."));
    HttpResponse<String> second = post("/v1/responses", alice, turn.copy().put("input", history)
        .put("tools", new JsonArray().add(shellTool())));

    assertEquals(200, second.statusCode(), second.body());
    JsonArray sent = fake.lastRequest().json().getJsonArray("input");
    assertEquals(4, sent.size(), "Ensemble's own reasoning item is not sent to OpenAI: " + sent.encode());
    assertEquals(reasoning.getString("encrypted_content"), sent.getJsonObject(1).getString("encrypted_content"));
    assertEquals("codex-session-1", fake.lastRequest().json().getString("prompt_cache_key"));
    assertEquals(404, get("/v1/responses/" + second.headers().firstValue("x-ensemble-request-id").orElseThrow(), alice).statusCode(),
        "store: false keeps nothing");
  }

  @Test
  void failsOverToAnotherOpenAiTargetWhenTheFirstIsRateLimited() throws Exception {
    fake.enqueue(Reply.error(429, "rate_limit_exceeded", "slow down"), Reply.text("from the second"));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "hi")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "code_interpreter"))));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("2", response.headers().firstValue("x-ensemble-attempts").orElseThrow());
    assertEquals(2, fake.requestCount());
    fake.requests().forEach(r -> assertEquals("/v1/responses", r.path()));
    assertFalse(fake.requests().get(0).header("authorization").equals(fake.requests().get(1).header("authorization")),
        "the second attempt used the other provider's key");
  }

  @Test
  void previousResponseIdContinuesAPassthroughConversationWithItsBuiltInToolItems() throws Exception {
    fake.enqueue(Reply.text("It is sunny."));
    HttpResponse<String> first = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "weather?")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "web_search"))));
    String id = first.headers().firstValue("x-ensemble-request-id").orElseThrow();
    JsonArray output = new JsonObject(first.body()).getJsonArray("output");

    HttpResponse<String> second = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "and tomorrow?")
        .put("previous_response_id", id));

    assertEquals(200, second.statusCode(), second.body());
    JsonObject sent = fake.lastRequest().json();
    assertEquals("/v1/responses", fake.lastRequest().path(), "the history holds a web search: only OpenAI can take it");
    assertNull(sent.getValue("previous_response_id"), "the upstream gets the whole history instead of the gateway's id");
    JsonArray input = sent.getJsonArray("input");
    assertEquals(new JsonObject().put("role", "user").put("content", "weather?"), input.getJsonObject(0));
    assertEquals(output.getJsonObject(0), input.getJsonObject(1), "the web search item as OpenAI gave it");
    assertEquals("and tomorrow?", input.getJsonObject(input.size() - 1).getString("content"));
    assertEquals(id, new JsonObject(second.body()).getString("previous_response_id"));
  }

  @Test
  void whatOnlyOpenAiServesIsA400NamingTheFieldWhenTheModelHasNoResponsesApiTarget() throws Exception {
    for (String model : List.of("claude-test", "llama-test")) {
      HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", model).put("input", "hi")
          .put("tools", new JsonArray().add(new JsonObject().put("type", "web_search"))));
      assertEquals(400, response.statusCode(), response.body());
      JsonObject error = new JsonObject(response.body()).getJsonObject("error");
      assertEquals("tools[0].type", error.getString("param"));
      assertTrue(error.getString("message").contains("web_search") && error.getString("message").contains(model), error.getString("message"));
    }
    assertEquals(0, fake.requestCount());
  }

  @Test
  void aCustomToolGoesToOpenAiAsIsAndComesBackAsACustomToolCall() throws Exception {
    fake.enqueue(Reply.toolCall("call_p", "apply_patch", "*** Begin Patch\n*** End Patch"));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "fix it")
        .put("tools", new JsonArray().add(patchTool())));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("/v1/responses", fake.lastRequest().path());
    assertEquals(patchTool(), fake.lastRequest().json().getJsonArray("tools").getJsonObject(0));
    JsonObject call = new JsonObject(response.body()).getJsonArray("output").getJsonObject(0);
    assertEquals("custom_tool_call", call.getString("type"));
    assertEquals("*** Begin Patch\n*** End Patch", call.getString("input"));
  }

  @Test
  void aCustomToolIsAFunctionWithOneStringArgumentOnAnthropicAndItsCallComesBackAsACustomToolCall() throws Exception {
    fake.enqueue(Reply.toolCall("toolu_1", "apply_patch", "{\"input\":\"*** Begin Patch\\n*** End Patch\"}"));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "claude-test").put("stream", true)
        .put("input", "fix it").put("tools", new JsonArray().add(patchTool())));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("/v1/messages", fake.lastRequest().path());
    JsonObject tool = fake.lastRequest().json().getJsonArray("tools").getJsonObject(0);
    assertEquals("apply_patch", tool.getString("name"));
    JsonObject input = tool.getJsonObject("input_schema").getJsonObject("properties").getJsonObject("input");
    assertEquals("string", input.getString("type"));
    assertTrue(input.getString("description").contains("start: begin_patch"), "the grammar is described to the model");
    List<JsonObject> events = ResponsesApiWireIT.events(response.body());
    JsonObject done = events.stream().filter(e -> e.getString("type").equals("response.custom_tool_call_input.done")).findFirst().orElseThrow();
    assertEquals("*** Begin Patch\n*** End Patch", done.getString("input"));
    JsonObject call = events.get(events.size() - 1).getJsonObject("response").getJsonArray("output").getJsonObject(0);
    assertEquals("custom_tool_call", call.getString("type"));
    assertEquals("toolu_1", call.getString("call_id"));
    assertEquals(done.getString("item_id"), call.getString("id"));

    fake.enqueue(Reply.text("Patched."));
    JsonArray history = new JsonArray().add(new JsonObject().put("role", "user").put("content", "fix it"))
        .add(new JsonObject().put("type", "custom_tool_call").put("call_id", "toolu_1").put("name", "apply_patch")
            .put("input", "*** Begin Patch\n*** End Patch"))
        .add(new JsonObject().put("type", "custom_tool_call_output").put("call_id", "toolu_1").put("output", "Done!"));
    HttpResponse<String> next = post("/v1/responses", alice, new JsonObject().put("model", "claude-test").put("input", history)
        .put("tools", new JsonArray().add(patchTool())));
    assertEquals(200, next.statusCode(), next.body());
    JsonArray messages = fake.lastRequest().json().getJsonArray("messages");
    JsonObject use = messages.getJsonObject(1).getJsonArray("content").getJsonObject(0);
    assertEquals("tool_use", use.getString("type"));
    assertEquals(new JsonObject().put("input", "*** Begin Patch\n*** End Patch"), use.getJsonObject("input"));
    assertEquals("tool_result", messages.getJsonObject(2).getJsonArray("content").getJsonObject(0).getString("type"));
  }

  @Test
  void listsInputItemsInPagesOnlyToTheirClient() throws Exception {
    JsonArray input = new JsonArray();
    for (int i = 0; i < 5; i++) {
      input.add(new JsonObject().put("role", i % 2 == 0 ? "user" : "assistant").put("content", "turn " + i));
    }
    fake.enqueue(Reply.text("ok"));
    HttpResponse<String> created = post("/v1/responses", alice, new JsonObject().put("model", "claude-test").put("input", input));
    String id = created.headers().firstValue("x-ensemble-request-id").orElseThrow();

    JsonObject page = new JsonObject(get("/v1/responses/" + id + "/input_items?limit=2", alice).body());
    assertEquals("list", page.getString("object"));
    assertEquals(List.of("turn 4", "turn 3"), texts(page), "newest first by default");
    assertTrue(page.getBoolean("has_more"));
    JsonObject next = new JsonObject(get("/v1/responses/" + id + "/input_items?limit=2&after=" + page.getString("last_id"), alice).body());
    assertEquals(List.of("turn 2", "turn 1"), texts(next));
    JsonObject asc = new JsonObject(get("/v1/responses/" + id + "/input_items?order=asc&limit=100", alice).body());
    assertEquals(List.of("turn 0", "turn 1", "turn 2", "turn 3", "turn 4"), texts(asc));
    assertFalse(asc.getBoolean("has_more"));
    assertEquals(asc.getString("first_id"), asc.getJsonArray("data").getJsonObject(0).getString("id"));
    assertEquals("input_text", asc.getJsonArray("data").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("type"));

    assertNull(new JsonObject(get("/api/v1/responses/" + id, alice).body()).getValue("input_items"), "kept in the stored form, not shown");
    HttpResponse<String> foreign = get("/v1/responses/" + id + "/input_items", bob);
    assertEquals(404, foreign.statusCode(), "another client's response does not exist for bob");
    assertEquals("invalid_request_error", new JsonObject(foreign.body()).getJsonObject("error").getString("type"));
    assertEquals(404, get("/v1/responses/resp_nope/input_items", alice).statusCode());
    assertEquals(200, get("/v1/responses/" + id + "/input_items", ADMIN_KEY).statusCode(), "the admin reads every response");
    HttpResponse<String> badLimit = get("/v1/responses/" + id + "/input_items?limit=0", alice);
    assertEquals(400, badLimit.statusCode());
    assertEquals("limit", new JsonObject(badLimit.body()).getJsonObject("error").getString("param"));
  }

  private static List<String> texts(JsonObject page) {
    return page.getJsonArray("data").stream().map(i -> ((JsonObject) i).getJsonArray("content").getJsonObject(0).getString("text")).toList();
  }

  private static JsonObject shellTool() {
    return new JsonObject().put("type", "function").put("name", "shell").put("parameters", new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("cmd", new JsonObject().put("type", "string"))));
  }

  private static JsonObject patchTool() {
    return new JsonObject().put("type", "custom").put("name", "apply_patch").put("description", "Apply a patch")
        .put("format", new JsonObject().put("type", "grammar").put("syntax", "lark")
            .put("definition", "start: begin_patch hunk+ end_patch"));
  }

  private static HttpResponse<String> post(String path, String key, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create(gateway.baseUrl() + path);
  }
}
