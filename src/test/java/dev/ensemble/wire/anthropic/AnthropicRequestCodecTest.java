package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnthropicRequestCodecTest {

  private static final String UPSTREAM_MODEL = "claude-sonnet-4-5-20250929";
  private static final JsonObject EPHEMERAL = new JsonObject().put("type", "ephemeral");

  private final AnthropicRequestCodec codec = new AnthropicRequestCodec();

  @Test
  void decodesGoldenRequestIntoUnifiedShape() {
    UnifiedRequest req = codec.decode(AnthropicFixtures.json("requests/cache-control.json"));

    assertEquals("claude-sonnet-4-5", req.model());
    assertEquals(2048, req.maxTokens());
    assertEquals(2, req.system().size());
    assertEquals(new JsonObject().put("type", "ephemeral").put("ttl", "1h"), req.system().get(1).cacheControl());
    assertEquals(5, req.messages().size());
    assertEquals(List.of("get_weather", "get_time"), req.tools().stream().map(ToolDefinition::name).toList());
    assertEquals(new ToolChoice(ToolChoice.Mode.AUTO, null, true), req.toolChoice());
    assertEquals(1.0, req.temperature());
    assertNull(req.topP());
    assertEquals(40, req.topK());
    assertEquals(List.of("\n\nHuman:"), req.stop());
    assertTrue(req.stream());
    assertEquals(new UnifiedRequest.Reasoning(1024, null), req.reasoning());
    assertEquals("user-42", req.user());

    List<ContentBlock> first = req.messages().get(0).content();
    ContentBlock.Document doc = assertInstanceOf(ContentBlock.Document.class, first.get(0));
    assertEquals("policy.txt", doc.title());
    assertEquals("text/plain", doc.source().mediaType());
    assertEquals(MediaSource.base64("image/png", "iVBORw0KGgo="), ((ContentBlock.Image) first.get(1)).source());
    assertEquals(MediaSource.url("https://example.com/map.jpg"), ((ContentBlock.Image) first.get(2)).source());

    List<ContentBlock> assistant = req.messages().get(1).content();
    ContentBlock.Thinking thinking = assertInstanceOf(ContentBlock.Thinking.class, assistant.get(0));
    assertEquals("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", thinking.signature());
    ContentBlock.ToolUse call = assertInstanceOf(ContentBlock.ToolUse.class, assistant.get(2));
    assertEquals("{\"location\":\"Paris, FR\",\"unit\":\"celsius\",\"days\":[1,2.5,null,true]}", call.inputJson());
    assertEquals(EPHEMERAL, call.cacheControl());

    ContentBlock.ToolResult result = assertInstanceOf(ContentBlock.ToolResult.class, req.messages().get(2).content().get(0));
    assertFalse(result.isError());
    assertEquals(new JsonObject().put("type", "ephemeral").put("ttl", "5m"), result.cacheControl());
    assertEquals(EPHEMERAL, ((ContentBlock.Text) result.content().get(0)).cacheControl());

    ContentBlock.Thinking redacted = assertInstanceOf(ContentBlock.Thinking.class, req.messages().get(3).content().get(0));
    assertNull(redacted.thinking());
    assertTrue(redacted.redactedData().startsWith("EmwKAhgB"));
    assertEquals(List.of(ContentBlock.Text.of("Please hurry.")), req.messages().get(4).content());
  }

  @Test
  void reEncodesGoldenRequestExactlyWithCacheControlWhereTheClientPutIt() {
    JsonObject client = AnthropicFixtures.json("requests/cache-control.json");
    String expected = AnthropicFixtures.json("requests/cache-control.upstream.json").encode();

    String encoded = codec.encode(codec.decode(client), UPSTREAM_MODEL).encode();

    assertEquals(expected, encoded);
    List<String> markersIn = cacheControls(client.encode());
    assertEquals(9, markersIn.size());
    assertEquals(markersIn, cacheControls(encoded));
  }

  @Test
  void upstreamEncodingIsItsOwnFixedPoint() {
    JsonObject upstream = AnthropicFixtures.json("requests/cache-control.upstream.json");

    String reEncoded = codec.encode(codec.decode(upstream), UPSTREAM_MODEL).encode();

    assertEquals(upstream.encode(), reEncoded);
  }

  @Test
  void encodingTheSameRequestTwiceGivesIdenticalBytes() {
    UnifiedRequest req = codec.decode(AnthropicFixtures.json("requests/cache-control.json"));

    assertEquals(codec.encode(req, UPSTREAM_MODEL).toBuffer(), codec.encode(req, UPSTREAM_MODEL).toBuffer());
    assertEquals(codec.encode(req, UPSTREAM_MODEL).toBuffer(),
        codec.encode(codec.decode(AnthropicFixtures.json("requests/cache-control.json")), UPSTREAM_MODEL).toBuffer());
  }

  @Test
  void encodesFieldsInFixedOrder() {
    UnifiedRequest req = UnifiedRequest.builder("m").message(Message.user("hi")).stream(true).user("u")
        .tool(new ToolDefinition("t", null, null, null)).toolChoice(ToolChoice.auto())
        .temperature(0.5).topP(0.9).topK(5).stop("x").reasoning(new UnifiedRequest.Reasoning(2000, null))
        .system(ContentBlock.Text.of("sys")).maxTokens(4000).build();

    JsonObject body = codec.encode(req, "up");

    assertEquals(List.of("model", "max_tokens", "system", "messages", "tools", "tool_choice", "temperature", "top_p",
        "top_k", "stop_sequences", "thinking", "metadata", "stream"), List.copyOf(body.fieldNames()));
    assertEquals("sys", body.getString("system"));
    assertEquals(new JsonObject().put("type", "object"), body.getJsonArray("tools").getJsonObject(0).getJsonObject("input_schema"));
  }

  @Test
  void mergesConsecutiveSameRoleMessagesWithToolResultsFirst() {
    ContentBlock.ToolResult r1 = new ContentBlock.ToolResult("call_1", List.of(ContentBlock.Text.of("sunny")), false, null);
    ContentBlock.ToolResult r2 = new ContentBlock.ToolResult("call_2", List.of(), true, null);
    UnifiedRequest req = UnifiedRequest.builder("m")
        .message(Message.user("a"))
        .message(Message.user("b"))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("call_1", "weather", "{\"city\":\"Paris\"}", null))))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("call_2", "time", "not json", null))))
        .message(new Message(Role.USER, List.of(r1)))
        .message(Message.user("and?"))
        .message(new Message(Role.USER, List.of(r2)))
        .build();

    JsonArray messages = codec.encode(req, "up").getJsonArray("messages");

    assertEquals(new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(text("a")).add(text("b"))))
        .add(new JsonObject().put("role", "assistant").put("content", new JsonArray()
            .add(new JsonObject().put("type", "tool_use").put("id", "call_1").put("name", "weather")
                .put("input", new JsonObject().put("city", "Paris")))
            .add(new JsonObject().put("type", "tool_use").put("id", "call_2").put("name", "time")
                .put("input", new JsonObject()))))
        .add(new JsonObject().put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "call_1").put("content", "sunny"))
            .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "call_2").put("is_error", true))
            .add(text("and?")))), messages);
    assertEquals(messages.encode(), codec.encode(req, "up").getJsonArray("messages").encode());
  }

  @Test
  void dropsUnsignedThinkingAndMessagesLeftEmptyByIt() {
    UnifiedRequest req = UnifiedRequest.builder("m")
        .message(Message.user("q1"))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.Thinking("hmm", null, null))))
        .message(Message.user("q2"))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.Thinking("signed", "sig", null), ContentBlock.Text.of("a"))))
        .build();

    JsonArray messages = codec.encode(req, "up").getJsonArray("messages");

    assertEquals(2, messages.size());
    assertEquals(new JsonArray().add(text("q1")).add(text("q2")), messages.getJsonObject(0).getJsonArray("content"));
    assertEquals(new JsonObject().put("type", "thinking").put("thinking", "signed").put("signature", "sig"),
        messages.getJsonObject(1).getJsonArray("content").getJsonObject(0));
  }

  @Test
  void singleTextBecomesStringOnlyWithoutCacheControl() {
    UnifiedRequest req = UnifiedRequest.builder("m")
        .system(new ContentBlock.Text("sys", EPHEMERAL))
        .message(Message.user("plain"))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.Text("cached", EPHEMERAL))))
        .build();

    JsonObject body = codec.encode(req, "up");

    assertEquals(new JsonArray().add(text("sys").put("cache_control", EPHEMERAL)), body.getJsonArray("system"));
    assertEquals("plain", body.getJsonArray("messages").getJsonObject(0).getString("content"));
    assertEquals(new JsonArray().add(text("cached").put("cache_control", EPHEMERAL)),
        body.getJsonArray("messages").getJsonObject(1).getJsonArray("content"));
  }

  @Test
  void fillsDefaultMaxTokensAndOmitsWhatIsUnset() {
    UnifiedRequest req = UnifiedRequest.builder("m").message(Message.user("hi"))
        .responseFormat(new JsonObject().put("type", "json_object"))
        .toolChoice(new ToolChoice(ToolChoice.Mode.NONE, null, false))
        .build();

    JsonObject body = codec.encode(req, "up");

    assertEquals("{\"model\":\"up\",\"max_tokens\":4096,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", body.encode());
  }

  @ParameterizedTest
  @CsvSource({
      "low, , 4096, 1024",
      "minimal, , 4096, 1024",
      "medium, 10000, 10000, 8192",
      "medium, 8192, 16384, 8192",
      "high, , 28672, 24576",
      "high, 1000, 25576, 24576"
  })
  void turnsReasoningEffortIntoThinkingBudgetBelowMaxTokens(String effort, Integer maxTokens, int expectedMax, int budget) {
    UnifiedRequest req = UnifiedRequest.builder("m").message(Message.user("hi")).maxTokens(maxTokens)
        .reasoning(new UnifiedRequest.Reasoning(null, effort)).build();

    JsonObject body = codec.encode(req, "up");

    assertEquals(expectedMax, body.getInteger("max_tokens"));
    assertEquals(new JsonObject().put("type", "enabled").put("budget_tokens", budget), body.getJsonObject("thinking"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"b\":2,\"a\":[1.5,\"x\"]}|{\"b\":2,\"a\":[1.5,\"x\"]}",
      "[1,2]|{}",
      "\"str\"|{}",
      "{\"a\":1} trailing|{}",
      "{\"a\":|{}",
      "''|{}"
  })
  void sendsToolInputAsObjectOrEmptyObject(String inputJson, String expected) {
    UnifiedRequest req = UnifiedRequest.builder("m").message(Message.user("q"))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("t", "f", inputJson, null)))).build();

    JsonObject block = codec.encode(req, "up").getJsonArray("messages").getJsonObject(1).getJsonArray("content").getJsonObject(0);

    assertEquals(expected, block.getJsonObject("input").encode());
  }

  @Test
  void explicitBudgetIsSentAsGiven() {
    UnifiedRequest req = UnifiedRequest.builder("m").message(Message.user("hi")).maxTokens(1000)
        .reasoning(new UnifiedRequest.Reasoning(2000, "high")).build();

    JsonObject body = codec.encode(req, "up");

    assertEquals(1000, body.getInteger("max_tokens"));
    assertEquals(2000, body.getJsonObject("thinking").getInteger("budget_tokens"));
  }

  @Test
  void roundTripsThinkingWithSignature() {
    JsonObject client = new JsonObject("""
        {"model":"m","max_tokens":10,"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[
          {"type":"thinking","thinking":"Let me think.","signature":"EuYBCkQYAiJA"},
          {"type":"redacted_thinking","data":"EmwKAhgB"},
          {"type":"text","text":"answer"}]},{"role":"user","content":"more"}]}""");

    JsonObject upstream = codec.encode(codec.decode(client), "m");

    assertEquals(client.getJsonArray("messages").encode(), upstream.getJsonArray("messages").encode());
  }

  @Test
  void decodesDocumentAndToolResultVariants() {
    UnifiedRequest req = codec.decode(new JsonObject("""
        {"model":"m","max_tokens":10,"system":"be brief","messages":[{"role":"user","content":[
          {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},
          {"type":"document","source":{"type":"url","url":"https://example.com/a.pdf"}},
          {"type":"tool_result","tool_use_id":"t1","content":"plain result","is_error":true},
          {"type":"tool_result","tool_use_id":"t2"}]}],
         "tool_choice":{"type":"tool","name":"get_weather"},"thinking":{"type":"disabled"}}"""));

    assertEquals(List.of(ContentBlock.Text.of("be brief")), req.system());
    List<ContentBlock> blocks = req.messages().get(0).content();
    assertEquals(new ContentBlock.Document(MediaSource.base64("application/pdf", "JVBERi0x"), null, null), blocks.get(0));
    assertEquals(new ContentBlock.Document(MediaSource.url("https://example.com/a.pdf"), null, null), blocks.get(1));
    assertEquals(new ContentBlock.ToolResult("t1", List.of(ContentBlock.Text.of("plain result")), true, null), blocks.get(2));
    assertEquals(new ContentBlock.ToolResult("t2", List.of(), false, null), blocks.get(3));
    assertEquals(new ToolChoice(ToolChoice.Mode.TOOL, "get_weather", false), req.toolChoice());
    assertNull(req.reasoning());
    assertFalse(req.stream());
  }

  @Test
  void encodesPdfDocumentsInlineOrByUrlAsDocumentBlocksForUpstream() {
    UnifiedRequest req = UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(
        new ContentBlock.Document(MediaSource.base64("application/pdf", "JVBERi0x"), "report.pdf", EPHEMERAL),
        new ContentBlock.Document(MediaSource.url("https://example.com/a.pdf"), null, null),
        ContentBlock.Text.of("Summarise both.")))).maxTokens(100).build();

    JsonArray content = codec.encode(req, UPSTREAM_MODEL).getJsonArray("messages").getJsonObject(0).getJsonArray("content");

    assertEquals(new JsonObject().put("type", "document")
        .put("source", new JsonObject().put("type", "base64").put("media_type", "application/pdf").put("data", "JVBERi0x"))
        .put("title", "report.pdf").put("cache_control", EPHEMERAL), content.getJsonObject(0));
    assertEquals(new JsonObject().put("type", "document")
        .put("source", new JsonObject().put("type", "url").put("url", "https://example.com/a.pdf")), content.getJsonObject(1));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|model",
      "{\"model\":7,\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|model",
      "{\"model\":\"\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|model",
      "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|max_tokens",
      "{\"model\":\"m\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|max_tokens",
      "{\"model\":\"m\",\"max_tokens\":\"5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|max_tokens",
      "{\"model\":\"m\",\"max_tokens\":1.5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|max_tokens",
      "{\"model\":\"m\",\"max_tokens\":1}|messages",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[]}|messages",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":{}}|messages",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[\"hi\"]}|messages[0]",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}|messages[0].role",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"content\":\"x\"}]}|messages[0].role",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\"}]}|messages[0].content",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":5}]}|messages[0].content",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"foo\"}]}]}|messages[0].content[0].type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}|messages[0].content[0].type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}|messages[0].content[0].text",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\",\"cache_control\":\"ephemeral\"}]}]}|messages[0].content[0].cache_control",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"b\",\"input\":{}}]}]}|messages[0].content[0].type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"b\",\"input\":[]}]}]}|messages[0].content[0].input",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"name\":\"b\",\"input\":{}}]}]}|messages[0].content[0].id",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"a\"}]}]}|messages[0].content[0].type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\"}]}]}|messages[0].content[0].tool_use_id",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"a\",\"content\":[{\"type\":\"tool_use\"}]}]}]}|messages[0].content[0].content[0].type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"a\",\"is_error\":\"no\"}]}]}|messages[0].content[0].is_error",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"file\",\"file_id\":\"f\"}}]}]}|messages[0].content[0].source.type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"data\":\"x\"}}]}]}|messages[0].content[0].source.media_type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}]}|messages[0].content[0].source",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\"}]}]}|messages[1].content[0].thinking",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"redacted_thinking\"}]}]}|messages[0].content[0].data",
      "{\"model\":\"m\",\"max_tokens\":1,\"system\":5,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|system",
      "{\"model\":\"m\",\"max_tokens\":1,\"system\":[{\"type\":\"image\"}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|system[0].type",
      "{\"model\":\"m\",\"max_tokens\":1,\"system\":[{\"type\":\"text\",\"text\":\"s\",\"cache_control\":[]}],\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}|system[0].cache_control",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":{}}|tools",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"input_schema\":{}}]}|tools[0].name",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"name\":\"t\"}]}|tools[0].input_schema",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}|tools[0].type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":{\"type\":\"sometimes\"}}|tool_choice.type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":{\"type\":\"tool\"}}|tool_choice.name",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tool_choice\":\"auto\"}|tool_choice",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"thinking\":{\"type\":\"enabled\"}}|thinking.budget_tokens",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"thinking\":{\"type\":\"on\"}}|thinking.type",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":\"hot\"}|temperature",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":[]}|top_p",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_k\":0.5}|top_k",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop_sequences\":[\"a\",1]}|stop_sequences[1]",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}|stream",
      "{\"model\":\"m\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"metadata\":{\"user_id\":5}}|metadata.user_id",
  })
  void rejectsInvalidRequestNamingTheParam(String body, String param) {
    GatewayError e = assertThrows(GatewayError.class, () -> codec.decode(new JsonObject(body)));

    assertEquals(400, e.status());
    assertEquals(param, e.param());
    assertTrue(e.getMessage().startsWith(param + ": "), e.getMessage());
  }

  @Test
  void ignoresUnknownTopLevelFieldsAndNullOptionals() {
    UnifiedRequest req = codec.decode(new JsonObject("""
        {"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],"service_tier":"auto",
         "container":{"id":"c"},"temperature":null,"system":null,"tools":null}"""));

    assertNull(req.temperature());
    assertTrue(req.system().isEmpty());
    assertTrue(req.tools().isEmpty());
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  private static List<String> cacheControls(String json) {
    Matcher m = Pattern.compile("\"cache_control\":\\{[^}]*}").matcher(json);
    List<String> found = new java.util.ArrayList<>();
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  @ParameterizedTest(name = "budget {0} -> thinking {1}, max_tokens {2}")
  @CsvSource({"0, , 4096", "512, 1024, 4096", "-1, 8192, 12288", "2048, 2048, 4096"})
  void geminiStyleBudgetsBecomeAnthropicThinking(int budget, Integer expected, int maxTokens) {
    JsonObject body = codec.encode(UnifiedRequest.builder("m").message(Message.user("x"))
        .reasoning(new UnifiedRequest.Reasoning(budget, null)).build(), "claude");

    assertEquals(expected == null ? null : new JsonObject().put("type", "enabled").put("budget_tokens", expected), body.getJsonObject("thinking"));
    assertEquals(maxTokens, body.getInteger("max_tokens"));
  }

  @Test
  void aBudgetRaisedToAnthropicsMinimumKeepsTheClientsRoomForTheAnswer() {
    JsonObject body = codec.encode(UnifiedRequest.builder("m").message(Message.user("x")).maxTokens(600)
        .reasoning(new UnifiedRequest.Reasoning(300, null)).build(), "claude");

    assertEquals(1024, body.getJsonObject("thinking").getInteger("budget_tokens"));
    assertEquals(1624, body.getInteger("max_tokens"));
  }
}
