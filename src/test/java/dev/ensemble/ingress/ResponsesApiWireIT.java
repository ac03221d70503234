package dev.ensemble.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /v1/responses} on the wire: the semantic SSE events in OpenAI's order with consecutive
 * {@code sequence_number}s, a mid-stream failure as {@code error} then {@code response.failed}, a Codex-shaped
 * session ({@code store: false}, the whole history every turn, {@code prompt_cache_key}, encrypted reasoning),
 * stored responses only for their client (or the admin), and 400s naming the field for what the gateway cannot
 * serve, all in OpenAI's error format.
 */
class ResponsesApiWireIT {

  private static final String ADMIN_KEY = "adm-responses-wire-0001";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake,
      f -> GatewayExtension.standardConfigWithAdminKey(f, ADMIN_KEY, "require_client_keys: true"));

  private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static String alice;
  private static String bob;

  @BeforeAll
  static void clients() {
    alice = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "alice")).getString("key");
    bob = gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "bob")).getString("key");
  }

  @Test
  void streamsTextThenAToolCallInOpenAisEventOrder() throws Exception {
    fake.enqueue(Reply.text("Let me check.").andToolCall("get_weather", "{\"city\":\"Paris\"}"));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("stream", true)
        .put("input", "Weather in Paris?").put("tools", new JsonArray().add(weatherTool())));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
    List<JsonObject> events = events(response.body());
    List<String> types = events.stream().map(e -> e.getString("type")).distinct().toList();
    assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.completed"), types);
    for (int i = 0; i < events.size(); i++) {
      assertEquals(i, events.get(i).getInteger("sequence_number"), "sequence numbers count from 0: " + events.get(i));
    }
    JsonObject completed = events.get(events.size() - 1).getJsonObject("response");
    assertEquals("completed", completed.getString("status"));
    JsonArray output = completed.getJsonArray("output");
    assertEquals("message", output.getJsonObject(0).getString("type"));
    assertEquals("Let me check.", output.getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"));
    JsonObject call = output.getJsonObject(1);
    assertEquals("function_call", call.getString("type"));
    assertEquals(new JsonObject().put("city", "Paris"), new JsonObject(call.getString("arguments")));
    JsonObject added = events.stream().filter(e -> e.getString("type").equals("response.output_item.added")
        && e.getJsonObject("item").getString("type").equals("function_call")).findFirst().orElseThrow();
    assertEquals(1, added.getInteger("output_index"));
    assertEquals(call.getString("id"), added.getJsonObject("item").getString("id"), "stream and final object name the item alike");
    assertEquals(call.getString("call_id"), added.getJsonObject("item").getString("call_id"));
    assertEquals(response.headers().firstValue("x-ensemble-request-id").orElseThrow(), completed.getString("id"));
  }

  @Test
  void aFailureMidStreamIsAnErrorEventThenResponseFailed() throws Exception {
    fake.enqueue(Reply.text("partial answer here").midStreamError(3, "overloaded_error", "Overloaded"));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "claude-test").put("stream", true)
        .put("input", "Tell me a story"));

    List<JsonObject> events = events(response.body());
    JsonObject error = events.get(events.size() - 2);
    assertEquals("error", error.getString("type"));
    assertTrue(error.getString("message").contains("Overloaded"), error.encode());
    assertTrue(error.containsKey("code"));
    JsonObject failed = events.get(events.size() - 1);
    assertEquals("response.failed", failed.getString("type"));
    assertEquals("failed", failed.getJsonObject("response").getString("status"));
    assertEquals(events.size() - 1, failed.getInteger("sequence_number"));
  }

  @Test
  void aFailedStreamShowsTheMessageItWasCutInAsIncomplete() throws Exception {
    fake.enqueue(Reply.text("partial answer here").midStreamError(3, "overloaded_error", "Overloaded"));

    HttpResponse<String> response = post("/v1/responses", alice, new JsonObject().put("model", "claude-test").put("stream", true)
        .put("input", "Tell me a story"));

    List<JsonObject> events = events(response.body());
    JsonObject done = events.stream().filter(e -> e.getString("type").equals("response.output_item.done")).findFirst().orElseThrow();
    assertEquals("incomplete", done.getJsonObject("item").getString("status"), done.encode());
    JsonObject failed = events.get(events.size() - 1).getJsonObject("response");
    assertEquals("failed", failed.getString("status"));
    assertTrue(failed.getValue("error") instanceof JsonObject, failed.encode());
    assertNull(failed.getValue("incomplete_details"), "OpenAI's incomplete reasons are max_output_tokens and content_filter only");
    JsonObject message = failed.getJsonArray("output").getJsonObject(0);
    assertEquals("message", message.getString("type"));
    assertEquals("incomplete", message.getString("status"), failed.encode());
    JsonObject stored = new JsonObject(get("/v1/responses/" + failed.getString("id"), alice).body());
    assertEquals("failed", stored.getString("status"), stored.encode());
    assertEquals("incomplete", stored.getJsonArray("output").getJsonObject(0).getString("status"), stored.encode());
  }

  @Test
  void aCodexShapedSessionKeepsNothingAndRoutesByPromptCacheKey() throws Exception {
    fake.enqueue(Reply.text("Reading the file.").thinking("I should read it", "sig-abc").andToolCall("call_1", "read_file", "{\"path\":\"a.txt\"}"),
        Reply.text("It says hello."));
    JsonObject turn = new JsonObject().put("model", "claude-test").put("store", false).put("stream", true)
        .put("prompt_cache_key", "codex-session-42").put("include", new JsonArray().add("reasoning.encrypted_content"))
        .put("instructions", "You are a coding agent.").put("reasoning", new JsonObject().put("effort", "medium"))
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("name", "read_file")
            .put("parameters", new JsonObject().put("type", "object"))));
    JsonArray history = new JsonArray().add(new JsonObject().put("type", "message").put("role", "developer")
        .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", "Work in /repo."))))
        .add(new JsonObject().put("type", "message").put("role", "user")
            .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", "What is in a.txt?"))));

    HttpResponse<String> first = post("/v1/responses", alice, turn.copy().put("input", history));

    JsonObject completed = events(first.body()).stream().filter(e -> e.getString("type").equals("response.completed")).findFirst()
        .orElseThrow().getJsonObject("response");
    assertFalse(completed.getBoolean("store"));
    JsonArray output = completed.getJsonArray("output");
    JsonObject reasoning = output.getJsonObject(0);
    assertEquals("reasoning", reasoning.getString("type"));
    assertTrue(reasoning.getString("encrypted_content").startsWith("ensemble:v1:"), reasoning.encode());
    String id = completed.getString("id");
    assertEquals(404, get("/v1/responses/" + id, alice).statusCode(), "store: false keeps no response");

    output.forEach(item -> history.add(((JsonObject) item).copy()));
    history.add(new JsonObject().put("type", "function_call_output").put("call_id", "call_1").put("output", "hello"));
    HttpResponse<String> second = post("/v1/responses", alice, turn.copy().put("input", history));

    assertEquals(200, second.statusCode(), second.body());
    assertTrue(second.body().contains("It says hello."));
    JsonObject upstream = fake.lastRequest().json();
    assertTrue(upstream.encode().contains("You are a coding agent.") && upstream.encode().contains("Work in /repo."), upstream.encode());
    JsonArray messages = upstream.getJsonArray("messages");
    JsonArray assistant = messages.getJsonObject(1).getJsonArray("content");
    assertEquals("thinking", assistant.getJsonObject(0).getString("type"), "the signed thinking goes back to Claude: " + assistant);
    assertEquals("sig-abc", assistant.getJsonObject(0).getString("signature"));
    assertEquals("I should read it", assistant.getJsonObject(0).getString("thinking"));
    assertEquals("tool_use", assistant.getJsonObject(assistant.size() - 1).getString("type"));
    assertEquals("tool_result", messages.getJsonObject(2).getJsonArray("content").getJsonObject(0).getString("type"));
  }

  @Test
  void anotherClientsResponseIsNotFoundButTheAdminReadsIt() throws Exception {
    HttpResponse<String> created = post("/v1/responses", alice, new JsonObject().put("model", "gpt-test").put("input", "private"));
    String id = new JsonObject(created.body()).getString("id");

    HttpResponse<String> foreign = get("/v1/responses/" + id, bob);
    assertEquals(404, foreign.statusCode());
    JsonObject error = new JsonObject(foreign.body()).getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"));
    assertEquals("id", error.getString("param"));
    assertTrue(error.getString("message").contains(id), error.encode());
    assertEquals(404, send(HttpRequest.newBuilder(uri("/v1/responses/" + id)).header("Authorization", "Bearer " + bob).DELETE()).statusCode());
    assertEquals(404, post("/v1/responses", bob, new JsonObject().put("model", "gpt-test").put("previous_response_id", id)
        .put("input", "continue")).statusCode(), "nor can another client continue it");

    HttpResponse<String> admin = get("/v1/responses/" + id, ADMIN_KEY);
    assertEquals(200, admin.statusCode(), admin.body());
    assertEquals("response", new JsonObject(admin.body()).getString("object"));
    assertEquals(404, get("/v1/responses/resp_unknown", alice).statusCode());
    HttpResponse<String> record = get("/api/v1/responses/" + id, alice);
    assertEquals(200, record.statusCode(), record.body());
    assertEquals("response", new JsonObject(record.body()).getJsonObject("body").getString("object"));
    assertTrue(!new JsonObject(record.body()).containsKey("conversation"), "the stored conversation is never shown: " + record.body());

    HttpResponse<String> deleted = send(HttpRequest.newBuilder(uri("/v1/responses/" + id)).header("Authorization", "Bearer " + alice).DELETE());
    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals(new JsonObject().put("id", id).put("object", "response.deleted").put("deleted", true), new JsonObject(deleted.body()));
    assertEquals(404, get("/api/v1/responses/" + id, ADMIN_KEY).statusCode(), "deleted from the store itself");
  }

  @Test
  void whatOnlyOpenAisResponsesApiServesIsA400NamingTheFieldForAModelWithoutAnOpenAiTarget() throws Exception {
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", "hi")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "file_search"))), "tools[0].type");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", "hi").put("background", true).put("stream", true), "background");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", "hi").put("background", true), "background");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", "hi").put("prompt", new JsonObject().put("id", "pmpt_1")), "prompt");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", "hi").put("conversation", "conv_1"), "conversation");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", "hi")
        .put("include", new JsonArray().add("web_search_call.action.sources")), "include[0]");
    assertBadRequest(new JsonObject().put("model", "gpt-test"), "input");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", new JsonArray()
        .add(new JsonObject().put("type", "web_search_call").put("id", "ws_1"))), "input[0].type");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", new JsonArray()
        .add(new JsonObject().put("type", "item_reference").put("id", "msg_1"))), "input[0].type");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "input_image")
            .put("file_id", "file-1"))))), "input[0].content[0].file_id");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "input_file")
            .put("file_id", "file-1"))))), "input[0].content[0].file_id");
    assertBadRequest(new JsonObject().put("model", "claude-test").put("input", "hi")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "local_shell"))), "tools[0].type");
    assertEquals(0, fake.requestCount(), "nothing reached the upstream");
  }

  @Test
  void aMissingKeyIsA401InOpenAisFormat() throws Exception {
    HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/responses")).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("model", "gpt-test").put("input", "hi").encode())));

    assertEquals(401, response.statusCode());
    assertEquals("authentication_error", new JsonObject(response.body()).getJsonObject("error").getString("type"));
  }

  private static void assertBadRequest(JsonObject body, String param) throws Exception {
    HttpResponse<String> response = post("/v1/responses", alice, body);
    assertEquals(400, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"));
    assertEquals(param, error.getString("param"), error.encode());
    assertNull(new JsonObject(response.body()).getValue("object"));
  }

  private static JsonObject weatherTool() {
    return new JsonObject().put("type", "function").put("name", "get_weather").put("parameters", new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("city", new JsonObject().put("type", "string"))));
  }

  /** The JSON of each SSE frame, checking that its {@code event:} line names its type. */
  static List<JsonObject> events(String body) {
    List<JsonObject> events = new ArrayList<>();
    for (String frame : body.split("\n\n")) {
      String event = null;
      String data = null;
      for (String line : frame.split("\n")) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = line.substring(6);
        }
      }
      if (data != null) {
        JsonObject json = new JsonObject(data);
        assertEquals(json.getString("type"), event, "event line and type agree: " + frame);
        events.add(json);
      }
    }
    return events;
  }

  private static HttpResponse<String> post(String path, String key, JsonObject body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  private static HttpResponse<String> get(String path, String key) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + key).GET());
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(String path) {
    return URI.create(gateway.baseUrl() + path);
  }
}
