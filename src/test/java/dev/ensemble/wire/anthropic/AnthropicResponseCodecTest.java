package dev.ensemble.wire.anthropic;

import com.anthropic.core.ObjectMappers;
import com.anthropic.models.messages.Message;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AnthropicResponseCodecTest {

  private static final String SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds";
  private static final ResponseContext CTX = new ResponseContext("r42", "claude-sonnet-4-5", 1_700_000_000L);

  private final AnthropicResponseCodec codec = new AnthropicResponseCodec();

  @Test
  void decodesUpstreamMessageSkippingServerToolBlocks() {
    UnifiedResponse resp = codec.decode(AnthropicFixtures.json("responses/tool-use.json"));

    assertEquals("msg_01Aq9w938a90dw8q", resp.id());
    assertEquals("claude-sonnet-4-5-20250929", resp.model());
    assertEquals(List.of(
        new ContentBlock.Thinking("I should call get_weather.", SIGNATURE, null),
        new ContentBlock.Thinking(null, null, "EmwKAhgBEgy3va3pzix"),
        ContentBlock.Text.of("I'll check the weather."),
        new ContentBlock.ToolUse("toolu_01A09q90qw90lq917835lq9", "get_weather",
            "{\"location\":\"Paris, FR\",\"unit\":\"celsius\"}", null)), resp.content());
    assertEquals(StopReason.TOOL_USE, resp.stopReason());
    assertEquals(null, resp.stopSequence());
    assertEquals(new Usage(2095L, 503L, 1800L, 0L), resp.usage());
  }

  @Test
  void leavesUnreportedUsageNull() {
    UnifiedResponse resp = codec.decode(new JsonObject("""
        {"id":"m","content":[{"type":"text","text":"hi"}],"stop_reason":"stop_sequence","stop_sequence":"END",
         "usage":{"input_tokens":3,"output_tokens":1}}"""));

    assertEquals(new Usage(3L, 1L, null, null), resp.usage());
    assertEquals(StopReason.STOP_SEQUENCE, resp.stopReason());
    assertEquals("END", resp.stopSequence());
  }

  @Test
  void rejectsMessageWithoutContent() {
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"id\":\"m\",\"type\":\"message\"}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"content\":\"text\"}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"content\":[{\"type\":\"text\"}]}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"content\":[],\"usage\":{\"input_tokens\":\"x\"}}")));
  }

  @ParameterizedTest
  @CsvSource({
      "end_turn, END_TURN", "max_tokens, MAX_TOKENS", "stop_sequence, STOP_SEQUENCE", "tool_use, TOOL_USE",
      "pause_turn, PAUSE_TURN", "refusal, REFUSAL", "model_context_window_exceeded, MAX_TOKENS"
  })
  void mapsStopReasons(String wire, StopReason unified) {
    JsonObject body = new JsonObject().put("content", new io.vertx.core.json.JsonArray()).put("stop_reason", wire);

    assertEquals(unified, codec.decode(body).stopReason());
  }

  @Test
  void encodesClientMessageUnderGatewayIdAndModel() {
    UnifiedResponse resp = codec.decode(AnthropicFixtures.json("responses/tool-use.json"));

    JsonObject body = codec.encode(resp, CTX);

    assertEquals(new JsonObject("""
        {"id":"msg_r42","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
          {"type":"thinking","thinking":"I should call get_weather.","signature":"%s"},
          {"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"},
          {"type":"text","text":"I'll check the weather."},
          {"type":"tool_use","id":"toolu_01A09q90qw90lq917835lq9","name":"get_weather","input":{"location":"Paris, FR","unit":"celsius"}}],
         "stop_reason":"tool_use","stop_sequence":null,
         "usage":{"input_tokens":2095,"cache_creation_input_tokens":0,"cache_read_input_tokens":1800,"output_tokens":503}}"""
        .formatted(SIGNATURE)).encode(), body.encode());
  }

  @Test
  void encodesUnknownUsageAsZerosAndMapsUnifiedOnlyStopReasons() {
    UnifiedResponse filtered = new UnifiedResponse("x", "gpt", List.of(ContentBlock.Text.of("no")),
        StopReason.CONTENT_FILTER, null, new Usage(10L, null, null, null));
    UnifiedResponse failed = new UnifiedResponse("x", "gpt", List.of(), StopReason.ERROR, null, null);

    JsonObject body = codec.encode(filtered, CTX);

    assertEquals("refusal", body.getString("stop_reason"));
    assertEquals(new JsonObject("{\"input_tokens\":10,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":0}"),
        body.getJsonObject("usage"));
    assertNull(codec.encode(failed, CTX).getString("stop_reason"), "an answer that ended in an error did not reach end_turn");
  }

  @Test
  void encodedMessageIsAcceptedByTheOfficialSdk() throws Exception {
    UnifiedResponse resp = codec.decode(AnthropicFixtures.json("responses/tool-use.json"));

    Message message = ObjectMappers.jsonMapper().readValue(codec.encode(resp, CTX).encode(), Message.class).validate();

    assertEquals("msg_r42", message.id());
    assertEquals(4, message.content().size());
    assertEquals(SIGNATURE, message.content().get(0).asThinking().signature());
    assertEquals("get_weather", message.content().get(3).asToolUse().name());
    assertEquals(1800L, message.usage().cacheReadInputTokens().orElseThrow());
  }

  @Test
  void thinkingSignatureSurvivesDecodeAndEncode() {
    JsonObject upstream = new JsonObject("""
        {"id":"m","content":[{"type":"thinking","thinking":"x","signature":"sig=="},{"type":"text","text":"y"}],
         "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1,"output_tokens":2}}""");

    JsonObject client = codec.encode(codec.decode(upstream), CTX);

    assertEquals(upstream.getJsonArray("content"), client.getJsonArray("content"));
  }
}
