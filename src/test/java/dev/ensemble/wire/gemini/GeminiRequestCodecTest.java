package dev.ensemble.wire.gemini;

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

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiRequestCodecTest {

  private final GeminiRequestCodec codec = new GeminiRequestCodec();

  /** A tool round trip with system blocks, media, a JSON-Schema tool and every generation setting. */
  static UnifiedRequest toolRoundTrip() {
    JsonObject schema = new JsonObject("""
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
         "properties":{"location":{"type":"string","description":"City"},
                       "unit":{"type":["string","null"],"enum":["c","f"]}},
         "required":["location"]}""");
    return UnifiedRequest.builder("gemini-test")
        .system(new ContentBlock.Text("You are terse.", new JsonObject().put("type", "ephemeral")))
        .system(ContentBlock.Text.of("Answer in English."))
        .message(new Message(Role.USER, List.of(
            ContentBlock.Text.of("Weather in Tokyo? See the map."),
            new ContentBlock.Image(MediaSource.base64("image/png", "iVBORw0KGgo="), null, null),
            new ContentBlock.Document(MediaSource.url("https://example.com/brief.pdf"), "brief", null))))
        .message(new Message(Role.ASSISTANT, List.of(
            new ContentBlock.Thinking("They want weather.", "sig-from-elsewhere", null),
            ContentBlock.Text.of("Checking."),
            new ContentBlock.ToolUse("call_r1_0", "getWeather", "{\"location\":\"Tokyo\",\"unit\":\"c\"}", null),
            new ContentBlock.ToolUse("call_r1_1", "getTime", "{}", null))))
        .message(new Message(Role.USER, List.of(
            new ContentBlock.ToolResult("call_r1_0", List.of(ContentBlock.Text.of("{\"temp\":21,\"sky\":\"clear\"}")), false, null),
            new ContentBlock.ToolResult("call_r1_1", List.of(ContentBlock.Text.of("09:30")), false, null))))
        .tool(new ToolDefinition("getWeather", "Current weather", schema, null))
        .tool(new ToolDefinition("getTime", null, new JsonObject().put("type", "object").put("properties", new JsonObject()), null))
        .toolChoice(new ToolChoice(ToolChoice.Mode.TOOL, "getWeather", false))
        .maxTokens(512).temperature(0.5).topP(0.9).topK(40).stop("END")
        .reasoning(new UnifiedRequest.Reasoning(2048, null))
        .build();
  }

  @Test
  void encodesAToolRoundTripAsTheGoldenBody() {
    JsonObject expected = GeminiFixtures.json("requests/tool-round-trip.json");
    assertEquals(expected.encodePrettily(), codec.encode(toolRoundTrip(), "gemini-2.5-flash").encodePrettily());
  }

  @Test
  void encodingTheSameRequestTwiceGivesTheSameBytes() {
    assertEquals(codec.encode(toolRoundTrip(), "m").toBuffer(), codec.encode(toolRoundTrip(), "m").toBuffer());
  }

  @Test
  void mapsRolesToUserAndModelAndSystemBlocksToTheSystemInstruction() {
    JsonObject body = codec.encode(UnifiedRequest.builder("m").system(ContentBlock.Text.of("Be brief."))
        .message(Message.user("hi")).message(Message.assistant("hello")).message(Message.user("bye")).build(), "m");
    assertEquals(new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", "Be brief."))),
        body.getJsonObject("systemInstruction"));
    JsonArray contents = body.getJsonArray("contents");
    assertEquals(List.of("user", "model", "user"), contents.stream().map(c -> ((JsonObject) c).getString("role")).toList());
    assertFalse(body.containsKey("generationConfig"), "nothing set, nothing sent");
    assertFalse(body.containsKey("tools"));
  }

  @Test
  void toolChoiceModesBecomeFunctionCallingConfig() {
    for (ToolChoice.Mode mode : List.of(ToolChoice.Mode.AUTO, ToolChoice.Mode.ANY, ToolChoice.Mode.NONE)) {
      JsonObject config = codec.encode(withTool(new ToolChoice(mode, null, false)), "m")
          .getJsonObject("toolConfig").getJsonObject("functionCallingConfig");
      assertEquals(new JsonObject().put("mode", mode.name()), config);
    }
    assertNull(codec.encode(withTool(null), "m").getValue("toolConfig"));
  }

  @Test
  void aToolResultWithoutItsCallIsA400() {
    UnifiedRequest request = UnifiedRequest.builder("m").message(new Message(Role.USER,
        List.of(new ContentBlock.ToolResult("call_x", List.of(ContentBlock.Text.of("1")), false, null)))).build();
    GatewayError error = assertThrows(GatewayError.class, () -> codec.encode(request, "m"));
    assertEquals(400, error.status());
    assertEquals("messages[0].content[0].tool_use_id", error.param());
  }

  @Test
  void anErrorResultIsSentUnderErrorAndPlainTextUnderOutput() {
    UnifiedRequest request = UnifiedRequest.builder("m")
        .message(Message.user("go"))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("a", "f", "{}", null),
            new ContentBlock.ToolUse("b", "g", "{}", null))))
        .message(new Message(Role.USER, List.of(
            new ContentBlock.ToolResult("a", List.of(ContentBlock.Text.of("boom")), true, null),
            new ContentBlock.ToolResult("b", List.of(ContentBlock.Text.of("plain")), false, null))))
        .build();
    JsonArray parts = codec.encode(request, "m").getJsonArray("contents").getJsonObject(2).getJsonArray("parts");
    assertEquals(new JsonObject("{\"functionResponse\":{\"name\":\"f\",\"response\":{\"error\":\"boom\"}}}"), parts.getJsonObject(0));
    assertEquals(new JsonObject("{\"functionResponse\":{\"name\":\"g\",\"response\":{\"output\":\"plain\"}}}"), parts.getJsonObject(1));
    JsonArray calls = codec.encode(request, "m").getJsonArray("contents").getJsonObject(1).getJsonArray("parts");
    assertEquals(GeminiRequestCodec.PLACEHOLDER_SIGNATURE, calls.getJsonObject(0).getString("thoughtSignature"));
    assertFalse(calls.getJsonObject(1).containsKey("thoughtSignature"), "only the first call of a turn is signed");
  }

  @Test
  void dataUrlsAreSentInlineAndOtherUrlsAsFileData() {
    UnifiedRequest request = UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(
        new ContentBlock.Image(MediaSource.url("data:image/jpeg;base64,/9j/4AAQ"), null, null),
        new ContentBlock.Image(MediaSource.url("gs://bucket/cat.webp"), null, null)))).build();
    JsonArray parts = codec.encode(request, "m").getJsonArray("contents").getJsonObject(0).getJsonArray("parts");
    assertEquals(new JsonObject("{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"/9j/4AAQ\"}}"), parts.getJsonObject(0));
    assertEquals(new JsonObject("{\"fileData\":{\"mimeType\":\"image/webp\",\"fileUri\":\"gs://bucket/cat.webp\"}}"), parts.getJsonObject(1));
  }

  @Test
  void audioAndVideoUrlsCarryTheMimeTypeTheirExtensionNamesWhichVertexRequires() {
    UnifiedRequest request = UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(
        new ContentBlock.Document(MediaSource.url("https://example.com/talk.MP3?sig=abc"), null, null),
        new ContentBlock.Document(MediaSource.url("gs://bucket/clip.webm"), null, null),
        new ContentBlock.Document(MediaSource.url("https://example.com/v1.2/stream"), null, null)))).build();
    JsonArray parts = codec.encode(request, "m").getJsonArray("contents").getJsonObject(0).getJsonArray("parts");

    assertEquals(new JsonObject("{\"fileData\":{\"mimeType\":\"audio/mp3\",\"fileUri\":\"https://example.com/talk.MP3?sig=abc\"}}"),
        parts.getJsonObject(0));
    assertEquals(new JsonObject("{\"fileData\":{\"mimeType\":\"video/webm\",\"fileUri\":\"gs://bucket/clip.webm\"}}"), parts.getJsonObject(1));
    assertEquals(new JsonObject("{\"fileData\":{\"fileUri\":\"https://example.com/v1.2/stream\"}}"), parts.getJsonObject(2),
        "no extension: the type is left to the provider");
  }

  @Test
  void pdfAudioAndVideoDocumentsAreSentInlineAndAPdfUrlAsFileData() {
    UnifiedRequest request = UnifiedRequest.builder("m").message(new Message(Role.USER, List.of(
        new ContentBlock.Document(MediaSource.base64("application/pdf", "JVBERi0x"), null, null),
        new ContentBlock.Document(MediaSource.base64("audio/wav", "UklGRg=="), null, null),
        new ContentBlock.Document(MediaSource.base64("video/mp4", "AAAAIGZ0eXA="), null, null),
        new ContentBlock.Document(MediaSource.url("data:audio/mpeg;base64,SUQz"), null, null),
        new ContentBlock.Document(MediaSource.url("https://example.com/report.pdf"), null, null)))).build();
    JsonArray parts = codec.encode(request, "m").getJsonArray("contents").getJsonObject(0).getJsonArray("parts");
    assertEquals(new JsonObject("{\"inlineData\":{\"mimeType\":\"application/pdf\",\"data\":\"JVBERi0x\"}}"), parts.getJsonObject(0));
    assertEquals(new JsonObject("{\"inlineData\":{\"mimeType\":\"audio/wav\",\"data\":\"UklGRg==\"}}"), parts.getJsonObject(1));
    assertEquals(new JsonObject("{\"inlineData\":{\"mimeType\":\"video/mp4\",\"data\":\"AAAAIGZ0eXA=\"}}"), parts.getJsonObject(2));
    assertEquals(new JsonObject("{\"inlineData\":{\"mimeType\":\"audio/mpeg\",\"data\":\"SUQz\"}}"), parts.getJsonObject(3));
    assertEquals(new JsonObject("{\"fileData\":{\"mimeType\":\"application/pdf\",\"fileUri\":\"https://example.com/report.pdf\"}}"),
        parts.getJsonObject(4));
  }

  @Test
  void reasoningEffortBecomesAThinkingBudgetWithThoughtsIncluded() {
    JsonObject config = codec.encode(UnifiedRequest.builder("m").message(Message.user("x"))
        .reasoning(new UnifiedRequest.Reasoning(null, "medium")).build(), "m").getJsonObject("generationConfig");
    assertEquals(new JsonObject().put("thinkingBudget", 8192).put("includeThoughts", true), config.getJsonObject("thinkingConfig"));
  }

  @Test
  void aZeroBudgetTurnsThinkingOffAndMinusOneLeavesItToTheModel() {
    JsonObject off = codec.encode(UnifiedRequest.builder("m").message(Message.user("x"))
        .reasoning(new UnifiedRequest.Reasoning(0, null)).build(), "m").getJsonObject("generationConfig");
    JsonObject dynamic = codec.encode(UnifiedRequest.builder("m").message(Message.user("x"))
        .reasoning(new UnifiedRequest.Reasoning(-1, null)).build(), "m").getJsonObject("generationConfig");

    assertEquals(new JsonObject().put("thinkingBudget", 0), off.getJsonObject("thinkingConfig"));
    assertEquals(new JsonObject().put("thinkingBudget", -1).put("includeThoughts", true), dynamic.getJsonObject("thinkingConfig"));
  }

  @Test
  void jsonSchemaResponseFormatAsksForJsonOfTheConvertedSchema() {
    JsonObject format = new JsonObject("""
        {"type":"json_schema","json_schema":{"name":"r","strict":true,
         "schema":{"type":"object","additionalProperties":false,"properties":{"n":{"type":"integer"}},"required":["n"]}}}""");
    JsonObject config = codec.encode(UnifiedRequest.builder("m").message(Message.user("x")).responseFormat(format).build(), "m")
        .getJsonObject("generationConfig");
    assertEquals("application/json", config.getString("responseMimeType"));
    assertEquals(new JsonObject("{\"type\":\"OBJECT\",\"properties\":{\"n\":{\"type\":\"INTEGER\"}},\"required\":[\"n\"]}"),
        config.getJsonObject("responseSchema"));
  }

  @Test
  void badToolArgumentsAreA400() {
    UnifiedRequest request = UnifiedRequest.builder("m").message(Message.user("go"))
        .message(new Message(Role.ASSISTANT, List.of(new ContentBlock.ToolUse("a", "f", "[1,2]", null)))).build();
    assertTrue(assertThrows(GatewayError.class, () -> codec.encode(request, "m")).getMessage().contains("JSON object"));
  }

  private static UnifiedRequest withTool(ToolChoice choice) {
    return UnifiedRequest.builder("m").message(Message.user("x"))
        .tool(new ToolDefinition("f", null, new JsonObject("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}"), null))
        .toolChoice(choice).build();
  }
}
