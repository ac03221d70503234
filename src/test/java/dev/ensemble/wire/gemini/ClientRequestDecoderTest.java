package dev.ensemble.wire.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A client's Gemini request as a unified one: function call ids, schemas, tool config, and what is refused. */
class ClientRequestDecoderTest {

  private final ClientRequestDecoder decoder = new ClientRequestDecoder();

  @Test
  void aFunctionResponseWithoutIdAnswersTheEarliestOpenCallOfItsName() {
    JsonObject body = new JsonObject().put("contents", new JsonArray()
        .add(turn("user", new JsonObject().put("text", "Weather in Paris and Rome?")))
        .add(turn("model", call("get_weather", "Paris"), call("get_weather", "Rome")))
        .add(turn("user", answer("get_weather", "18C"), answer("get_weather", "21C"))));

    UnifiedRequest request = decoder.decode(body, "gemini-test", false);

    ContentBlock.ToolUse paris = (ContentBlock.ToolUse) request.messages().get(1).content().get(0);
    ContentBlock.ToolUse rome = (ContentBlock.ToolUse) request.messages().get(1).content().get(1);
    assertEquals("call_0", paris.id());
    assertEquals("call_1", rome.id());
    assertEquals(new JsonObject().put("city", "Paris"), new JsonObject(paris.inputJson()));
    assertEquals("call_0", ((ContentBlock.ToolResult) request.messages().get(2).content().get(0)).toolUseId());
    assertEquals("call_1", ((ContentBlock.ToolResult) request.messages().get(2).content().get(1)).toolUseId());
  }

  @Test
  void geminiSchemasBecomeJsonSchemaAndOneAllowedFunctionIsAForcedCall() {
    JsonObject parameters = new JsonObject().put("type", "OBJECT").put("propertyOrdering", new JsonArray().add("city"))
        .put("properties", new JsonObject().put("city", new JsonObject().put("type", "STRING").put("nullable", true)))
        .put("required", new JsonArray().add("city"));
    JsonObject body = new JsonObject().put("contents", new JsonArray().add(turn("user", new JsonObject().put("text", "hi"))))
        .put("tools", new JsonArray().add(new JsonObject().put("functionDeclarations", new JsonArray()
            .add(new JsonObject().put("name", "get_weather").put("parameters", parameters)))))
        .put("toolConfig", new JsonObject().put("functionCallingConfig", new JsonObject().put("mode", "ANY")
            .put("allowedFunctionNames", new JsonArray().add("get_weather"))));

    UnifiedRequest request = decoder.decode(body, "m", false);

    assertEquals(new JsonObject().put("type", "object")
        .put("properties", new JsonObject().put("city", new JsonObject().put("type", new JsonArray().add("string").add("null"))))
        .put("required", new JsonArray().add("city")), request.tools().get(0).inputSchema());
    assertEquals(new ToolChoice(ToolChoice.Mode.TOOL, "get_weather", false), request.toolChoice());
  }

  @Test
  void builtInToolsAndSeveralCandidatesAreRefusedNamingTheField() {
    JsonObject base = new JsonObject().put("contents", new JsonArray().add(turn("user", new JsonObject().put("text", "hi"))));
    assertEquals("tools[0].codeExecution", assertThrows(GatewayError.class, () -> decoder.decode(base.copy()
        .put("tools", new JsonArray().add(new JsonObject().put("codeExecution", new JsonObject()))), "m", false)).param());
    assertEquals("generationConfig.candidateCount", assertThrows(GatewayError.class, () -> decoder.decode(base.copy()
        .put("generationConfig", new JsonObject().put("candidateCount", 2)), "m", false)).param());
    assertEquals("contents[1].parts[0].functionResponse.name", assertThrows(GatewayError.class, () -> decoder.decode(base.copy()
        .put("contents", base.getJsonArray("contents").copy().add(turn("user", answer("never_called", "x")))), "m", false)).param());
  }

  private static JsonObject turn(String role, JsonObject... parts) {
    JsonArray array = new JsonArray();
    for (JsonObject part : parts) {
      array.add(part);
    }
    return new JsonObject().put("role", role).put("parts", array);
  }

  private static JsonObject call(String name, String city) {
    return new JsonObject().put("functionCall", new JsonObject().put("name", name).put("args", new JsonObject().put("city", city)));
  }

  private static JsonObject answer(String name, String temperature) {
    return new JsonObject().put("functionResponse", new JsonObject().put("name", name)
        .put("response", new JsonObject().put("temperature", temperature)));
  }
}
