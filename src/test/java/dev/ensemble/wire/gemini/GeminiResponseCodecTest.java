package dev.ensemble.wire.gemini;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GeminiResponseCodecTest {

  private final GeminiResponseCodec codec = new GeminiResponseCodec();

  @Test
  void decodesThoughtsAndJoinsAdjacentTextParts() {
    UnifiedResponse response = codec.decode(GeminiFixtures.json("responses/text.json"));
    assertEquals(List.of(new ContentBlock.Thinking("Let me think.", null, null), ContentBlock.Text.of("The answer is 42.")),
        response.content());
    assertEquals(StopReason.END_TURN, response.stopReason());
    assertEquals("mFQoaPXvJ5aHz7IPzMXV4QE", response.id());
    assertEquals("gemini-2.5-flash", response.model());
  }

  @Test
  void promptTokensIncludeCachedOnesAndThoughtsCountAsOutput() {
    Usage usage = codec.decode(GeminiFixtures.json("responses/text.json")).usage();
    assertEquals(new Usage(952L, 57L, 2048L, null, 50L), usage, "thoughts are output, and its reasoning breakdown");
    assertEquals(3000, usage.promptTotal());
  }

  @Test
  void functionCallsGetStableIdsFromTheResponseIdAndStopForToolUse() {
    UnifiedResponse response = codec.decode(GeminiFixtures.json("responses/tools.json"));
    assertEquals(List.of(
        new ContentBlock.ToolUse("call_qpc2afWVFJK4vr0Pq6WiyAU_0", "getWeather", "{\"location\":\"Tokyo\",\"days\":3}", null),
        new ContentBlock.ToolUse("call_qpc2afWVFJK4vr0Pq6WiyAU_1", "getTime", "{}", null)), response.content());
    assertEquals(StopReason.TOOL_USE, response.stopReason(), "Gemini says STOP; the calls say TOOL_USE");
    assertEquals(response, codec.decode(GeminiFixtures.json("responses/tools.json")), "the same answer gets the same ids");
    assertEquals(new Usage(83L, 14L, 0L, null), response.usage(), "no cachedContentTokenCount means none were cached");
  }

  @Test
  void aCallWithoutAResponseIdIsNumberedAndOneWithAnIdKeepsIt() {
    UnifiedResponse response = codec.decode(new JsonObject("""
        {"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"a","args":{}}},
          {"functionCall":{"id":"fc-9","name":"b","args":{"x":1}}}]},"finishReason":"STOP"}]}"""));
    assertEquals(List.of(new ContentBlock.ToolUse("call_0", "a", "{}", null), new ContentBlock.ToolUse("fc-9", "b", "{\"x\":1}", null)),
        response.content());
  }

  @Test
  void finishReasonsMapToUnifiedStopReasons() {
    for (String safety : List.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII")) {
      assertEquals(StopReason.CONTENT_FILTER, FinishReasons.decode(safety, false), safety);
    }
    assertEquals(StopReason.MAX_TOKENS, FinishReasons.decode("MAX_TOKENS", false));
    assertEquals(StopReason.END_TURN, FinishReasons.decode("STOP", false));
    assertEquals(StopReason.TOOL_USE, FinishReasons.decode("STOP", true));
    assertEquals(StopReason.ERROR, FinishReasons.decode("MALFORMED_FUNCTION_CALL", false));
    assertEquals(StopReason.END_TURN, FinishReasons.decode("SOMETHING_NEW", false));
    UnifiedResponse safety = codec.decode(GeminiFixtures.json("responses/safety.json"));
    assertEquals(StopReason.CONTENT_FILTER, safety.stopReason());
    assertEquals("Here is how", safety.text());
  }

  @Test
  void aBlockedPromptIsA400ContentFilterError() {
    GatewayError error = assertThrows(GatewayError.class, () -> codec.decode(GeminiFixtures.json("responses/blocked.json")));
    assertEquals(400, error.status());
    assertEquals(false, error.retryable());
    assertEquals(true, error.getMessage().contains("PROHIBITED_CONTENT"), error.getMessage());
  }

  @Test
  void malformedBodiesAreProtocolErrorsNotClassCastExceptions() {
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"candidates\":\"x\"}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"candidates\":[{\"content\":{\"parts\":[7]}}]}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{}")));
    assertThrows(UpstreamProtocolException.class,
        () -> codec.decode(new JsonObject("{\"candidates\":[{\"content\":{\"parts\":[{\"functionCall\":{\"args\":{}}}]}}]}")));
  }
}
