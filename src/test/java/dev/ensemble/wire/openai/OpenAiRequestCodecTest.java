package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.ErrorType;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

class OpenAiRequestCodecTest {

  private static final String USER_HI = "{\"role\":\"user\",\"content\":\"hi\"}";

  private final OpenAiRequestCodec codec = new OpenAiRequestCodec();

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of("{\"messages\":[" + USER_HI + "]}", "model", "is required"),
        Arguments.of("{\"model\":\"\",\"messages\":[" + USER_HI + "]}", "model", "must not be empty"),
        Arguments.of("{\"model\":7,\"messages\":[" + USER_HI + "]}", "model", "must be a string"),
        Arguments.of("{\"model\":\"m\"}", "messages", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[]}", "messages", "must not be empty"),
        Arguments.of("{\"model\":\"m\",\"messages\":\"hi\"}", "messages", "must be an array"),
        Arguments.of("{\"model\":\"m\",\"messages\":[\"hi\"]}", "messages[0]", "must be an object"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"content\":\"hi\"}]}", "messages[0].role", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", "messages[0].role", "unknown role 'wizard'"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"function\",\"name\":\"f\",\"content\":\"1\"}]}", "messages[0].role", "not supported"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}", "messages[0].content", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", "messages[0].content", "must be a string or an array"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + ",{\"role\":\"tool\",\"content\":\"x\"}]}", "messages[1].tool_call_id", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"foo\"}]}]}", "messages[0].content[0].type", "unknown content type 'foo'"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"a\"}]}]}", "messages[0].content[0].type", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}", "messages[0].content[0].text", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AA==\",\"format\":\"ogg\"}}]}]}", "messages[0].content[0].input_audio.format", "must be 'wav' or 'mp3'"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"detail\":\"low\"}}]}]}", "messages[0].content[0].image_url.url", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":{\"file_id\":\"file-1\"}}]}]}", "messages[0].content[0].file.file_data", "file_id is not supported"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\",\"cache_control\":\"yes\"}]}]}", "messages[0].content[0].cache_control", "must be an object"),
        Arguments.of("{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"http://x\"}}]}," + USER_HI + "]}", "messages[0].content[0].type", "only 'text' parts"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + ",{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":\"function\"}]}]}", "messages[1].tool_calls[0].function", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + ",{\"role\":\"assistant\",\"tool_calls\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}]}", "messages[1].tool_calls[0].id", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + ",{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":{}}}]}]}", "messages[1].tool_calls[0].function.arguments", "must be a string"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"tools\":[{\"type\":\"retrieval\"}]}", "tools[0].type", "only 'function' tools"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"tools\":[{\"type\":\"function\",\"function\":{\"description\":\"d\"}}]}", "tools[0].function.name", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"tool_choice\":\"sometimes\"}", "tool_choice", "must be"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"tool_choice\":{\"type\":\"function\",\"function\":{}}}", "tool_choice.function.name", "is required"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"max_tokens\":0}", "max_tokens", "greater than 0"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"max_completion_tokens\":\"5\"}", "max_completion_tokens", "must be an integer"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"max_completion_tokens\":5.5}", "max_completion_tokens", "must be an integer"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"temperature\":3}", "temperature", "between 0 and 2"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"top_p\":\"high\"}", "top_p", "must be a number"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"stop\":[\"a\",1]}", "stop[1]", "must be a string"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"stream\":\"yes\"}", "stream", "must be a boolean"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"stream_options\":{\"include_usage\":1}}", "stream_options.include_usage", "must be a boolean"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"parallel_tool_calls\":\"no\"}", "parallel_tool_calls", "must be a boolean"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"response_format\":\"json\"}", "response_format", "must be an object"),
        Arguments.of("{\"model\":\"m\",\"messages\":[" + USER_HI + "],\"n\":2}", "n", "n > 1 is not supported"));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @MethodSource("invalidRequests")
  void rejectsInvalidRequestNamingTheParam(String body, String param, String message) {
    GatewayError e = assertThrows(GatewayError.class, () -> codec.decode(new JsonObject(body)));
    assertEquals(ErrorType.INVALID_REQUEST, e.type());
    assertEquals(400, e.status());
    assertEquals(param, e.param());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void decodesToolResultsIntoOneUserTurn() {
    UnifiedRequest req = codec.decode(new JsonObject(Fixtures.text("providers/openai/requests/conversation.client.json")));
    List<Message> messages = req.messages();
    assertEquals(3, messages.size());
    assertEquals(Role.USER, messages.get(0).role());
    assertEquals(List.of(
        new ContentBlock.ToolUse("call_1", "get_weather", "{\"city\": \"Paris\"}", null),
        new ContentBlock.ToolUse("call_2", "get_weather", "{\"city\":\"Tokyo\"}", null)), messages.get(1).content());
    assertEquals(new Message(Role.USER, List.of(
        new ContentBlock.ToolResult("call_1", List.of(ContentBlock.Text.of("18C, sunny")), false, null),
        new ContentBlock.ToolResult("call_2", List.of(ContentBlock.Text.of("22C,"), ContentBlock.Text.of(" rain")), false, null),
        ContentBlock.Text.of("And tomorrow?"))), messages.get(2));
  }

  @Test
  void userMessageAfterAClosedToolTurnStartsANewTurn() {
    UnifiedRequest req = codec.decode(new JsonObject("{\"model\":\"m\",\"messages\":["
        + "{\"role\":\"user\",\"content\":\"q\"},"
        + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"r\"},"
        + "{\"role\":\"user\",\"content\":\"a\"},"
        + "{\"role\":\"user\",\"content\":\"b\"}]}"));
    assertEquals(4, req.messages().size());
    assertEquals(List.of(new ContentBlock.ToolResult("c1", List.of(ContentBlock.Text.of("r")), false, null),
        ContentBlock.Text.of("a")), req.messages().get(2).content());
    assertEquals(Message.user("b"), req.messages().get(3));
    assertEquals("{}", ((ContentBlock.ToolUse) req.messages().get(1).content().get(0)).inputJson());
  }

  @Test
  void toolMessagesAtTheEndFormTheLastUserTurn() {
    UnifiedRequest req = codec.decode(new JsonObject("{\"model\":\"m\",\"messages\":["
        + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
        + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"r\"}]}"));
    assertEquals(2, req.messages().size());
    assertEquals(List.of(new ContentBlock.ToolUse("c1", "f", "{}", null)), req.messages().get(0).content());
    assertEquals(Role.USER, req.messages().get(1).role());
  }

  @Test
  void decodesSystemContentPartsAndParams() {
    UnifiedRequest req = codec.decode(new JsonObject(Fixtures.text("providers/openai/requests/conversation.client.json")));
    assertEquals("gpt-4o", req.model());
    assertEquals(List.of(ContentBlock.Text.of("You are terse."),
        new ContentBlock.Text("Prefer metric units.", new JsonObject().put("type", "ephemeral"))), req.system());
    assertEquals(List.of(ContentBlock.Text.of("Weather in Paris and Tokyo? See map."),
        new ContentBlock.Image(MediaSource.base64("image/png", "iVBORw0KGgo="), "low", null)),
        req.messages().get(0).content());
    assertEquals(List.of("get_weather", "get_time"), req.tools().stream().map(ToolDefinition::name).toList());
    assertEquals(new ToolChoice(ToolChoice.Mode.AUTO, null, true), req.toolChoice());
    assertEquals(512, req.maxTokens());
    assertEquals(0.2, req.temperature());
    assertEquals(0.9, req.topP());
    assertEquals(List.of("END"), req.stop());
    assertTrue(req.stream());
    assertFalse(req.includeUsage());
    assertEquals(new UnifiedRequest.Reasoning(null, "low"), req.reasoning());
    assertEquals("user-42", req.user());
    assertEquals(new JsonObject().put("type", "text"), req.responseFormat());
  }

  @Test
  void decodesFilesImagesByUrlAndNamedToolChoice() {
    UnifiedRequest req = codec.decode(new JsonObject("{\"model\":\"m\",\"max_completion_tokens\":9,\"max_tokens\":1,"
        + "\"stream\":true,\"stream_options\":{\"include_usage\":true},"
        + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
        + "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}},"
        + "\"messages\":[{\"role\":\"user\",\"content\":["
        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.jpg\"},\"cache_control\":{\"type\":\"ephemeral\"}},"
        + "{\"type\":\"file\",\"file\":{\"filename\":\"a.pdf\",\"file_data\":\"data:application/pdf;base64,JVBERi0=\"}}]}]}"));
    assertEquals(List.of(
        new ContentBlock.Image(MediaSource.url("https://example.com/a.jpg"), null, new JsonObject().put("type", "ephemeral")),
        new ContentBlock.Document(MediaSource.base64("application/pdf", "JVBERi0="), "a.pdf", null)),
        req.messages().get(0).content());
    assertEquals(new ToolChoice(ToolChoice.Mode.TOOL, "f", false), req.toolChoice());
    assertEquals(new JsonObject().put("type", "object"), req.tools().get(0).inputSchema());
    assertEquals(9, req.maxTokens());
    assertTrue(req.includeUsage());
  }

  @Test
  void encodesForUpstreamInFixedFieldOrder() {
    UnifiedRequest req = codec.decode(new JsonObject(Fixtures.text("providers/openai/requests/conversation.client.json")));
    JsonObject expected = new JsonObject(Fixtures.text("providers/openai/requests/conversation.upstream.json"));
    assertEquals(expected.encode(), codec.encode(req, "gpt-4o-2024-08-06").encode());
  }

  @Test
  void encodingTheSameRequestTwiceGivesIdenticalBytes() {
    UnifiedRequest req = codec.decode(new JsonObject(Fixtures.text("providers/openai/requests/conversation.client.json")));
    assertArrayEquals(codec.encode(req, "gpt-4o").toBuffer().getBytes(), codec.encode(req, "gpt-4o").toBuffer().getBytes());
    UnifiedRequest again = codec.decode(new JsonObject(Fixtures.text("providers/openai/requests/conversation.client.json")));
    assertArrayEquals(codec.encode(req, "gpt-4o").toBuffer().getBytes(), codec.encode(again, "gpt-4o").toBuffer().getBytes());
  }

  @Test
  void encodesAnthropicShapedRequestForOpenAi() {
    JsonObject ephemeral = new JsonObject().put("type", "ephemeral");
    UnifiedRequest req = UnifiedRequest.builder("claude-ish")
        .system(new ContentBlock.Text("A", ephemeral))
        .system(ContentBlock.Text.of("B"))
        .message(new Message(Role.USER, List.of(new ContentBlock.Text("look", ephemeral))))
        .message(new Message(Role.ASSISTANT, List.of(
            new ContentBlock.Thinking("hmm", "sig", null),
            ContentBlock.Text.of("Calling."),
            new ContentBlock.ToolUse("toolu_1", "f", "{\"a\":1}", ephemeral))))
        .message(new Message(Role.USER, List.of(
            new ContentBlock.ToolResult("toolu_1", List.of(ContentBlock.Text.of("ok"),
                new ContentBlock.Image(MediaSource.url("https://x/y.png"), null, null)), true, ephemeral),
            ContentBlock.Text.of("thanks"),
            new ContentBlock.Document(MediaSource.base64("application/pdf", "JVBE"), null, null))))
        .tool(new ToolDefinition("f", null, null, ephemeral))
        .toolChoice(new ToolChoice(ToolChoice.Mode.ANY, null, false))
        .maxTokens(100).topK(5).stream(true).includeUsage(false)
        .reasoning(new UnifiedRequest.Reasoning(8000, null))
        .build();
    JsonObject expected = new JsonObject()
        .put("model", "gpt-4.1")
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", "A"))
            .add(new JsonObject().put("role", "system").put("content", "B"))
            .add(new JsonObject().put("role", "user").put("content", "look"))
            .add(new JsonObject().put("role", "assistant").put("content", "Calling.").put("tool_calls", new JsonArray()
                .add(new JsonObject().put("id", "toolu_1").put("type", "function")
                    .put("function", new JsonObject().put("name", "f").put("arguments", "{\"a\":1}")))))
            .add(new JsonObject().put("role", "tool").put("tool_call_id", "toolu_1").put("content", "ok"))
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "thanks"))
                .add(new JsonObject().put("type", "file").put("file", new JsonObject()
                    .put("file_data", "data:application/pdf;base64,JVBE"))))))
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("function",
            new JsonObject().put("name", "f").put("parameters", new JsonObject().put("type", "object")))))
        .put("tool_choice", "required")
        .put("max_completion_tokens", 100)
        .put("reasoning_effort", "medium")
        .put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    String encoded = codec.encode(req, "gpt-4.1").encode();
    assertEquals(expected.encode(), encoded);
    assertFalse(encoded.contains("cache_control"));
  }

  @Test
  void mapsThinkingBudgetToReasoningEffort() {
    assertEquals("low", UpstreamRequestEncoder.reasoningEffort(new UnifiedRequest.Reasoning(1024, null)));
    assertEquals("medium", UpstreamRequestEncoder.reasoningEffort(new UnifiedRequest.Reasoning(4096, null)));
    assertEquals("high", UpstreamRequestEncoder.reasoningEffort(new UnifiedRequest.Reasoning(16384, null)));
    assertEquals("minimal", UpstreamRequestEncoder.reasoningEffort(new UnifiedRequest.Reasoning(32000, "minimal")));
    assertNull(UpstreamRequestEncoder.reasoningEffort(null));
  }

  @Test
  void omitsToolChoiceWithoutToolsAndStreamFieldsWhenNotStreaming() {
    UnifiedRequest req = UnifiedRequest.builder("m").message(Message.user("hi"))
        .toolChoice(new ToolChoice(ToolChoice.Mode.NONE, null, true)).build();
    assertEquals("{\"model\":\"up\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", codec.encode(req, "up").encode());
  }

  @ParameterizedTest(name = "budget {0} -> effort {1}")
  @CsvSource({"0, ", "-1, medium", "1024, low", "8192, medium", "24576, high"})
  void thinkingBudgetsBecomeAReasoningEffort(int budget, String effort) {
    JsonObject body = codec.encode(UnifiedRequest.builder("m").message(Message.user("x"))
        .reasoning(new UnifiedRequest.Reasoning(budget, null)).build(), "o4-mini");

    assertEquals(effort, body.getString("reasoning_effort"));
  }
}
