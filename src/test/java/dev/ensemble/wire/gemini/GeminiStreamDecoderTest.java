package dev.ensemble.wire.gemini;

import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiStreamDecoderTest {

  private static final List<StreamEvent> TEXT_EVENTS = List.of(
      new StreamEvent.ResponseStart("IZI2acSKMoWl0-kPmYj2yQc", "gemini-2.5-flash", null, null, Usage.UNKNOWN),
      StreamEvent.BlockStart.thinking(0),
      StreamEvent.BlockDelta.text(0, "Weighing the"),
      StreamEvent.BlockDelta.text(0, " options."),
      new StreamEvent.BlockStop(0),
      StreamEvent.BlockStart.text(1),
      StreamEvent.BlockDelta.text(1, "Héllo"),
      StreamEvent.BlockDelta.text(1, " wörld 🌍"),
      new StreamEvent.BlockStop(1),
      new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(52L, 45L, 2048L, null, 40L), null));

  private static final List<StreamEvent> TOOL_EVENTS = List.of(
      new StreamEvent.ResponseStart("qpc2afWVFJK4vr0Pq6WiyAU", "gemini-2.5-flash", null, null, Usage.UNKNOWN),
      StreamEvent.BlockStart.text(0),
      StreamEvent.BlockDelta.text(0, "Checking both."),
      new StreamEvent.BlockStop(0),
      StreamEvent.BlockStart.toolUse(1, "call_qpc2afWVFJK4vr0Pq6WiyAU_0", "getWeather"),
      StreamEvent.BlockDelta.partialJson(1, "{\"location\":\"Tokyo\",\"unit\":\"c\"}"),
      new StreamEvent.BlockStop(1),
      StreamEvent.BlockStart.toolUse(2, "call_qpc2afWVFJK4vr0Pq6WiyAU_1", "getTime"),
      StreamEvent.BlockDelta.partialJson(2, "{\"zone\":\"Asia/Tokyo\"}"),
      new StreamEvent.BlockStop(2),
      new StreamEvent.ResponseEnd(StopReason.TOOL_USE, null, new Usage(83L, 118L, 0L, null, 104L), null));

  @Test
  void decodesTextAndThoughtsSplitAtEveryByteBoundary() {
    assertSplitsDecodeTo("streams/text.sse", TEXT_EVENTS);
  }

  @Test
  void decodesWholeFunctionCallsSplitAtEveryByteBoundary() {
    assertSplitsDecodeTo("streams/tools.sse", TOOL_EVENTS);
  }

  @Test
  void decodesOneByteAtATime() {
    byte[] bytes = GeminiFixtures.bytes("streams/text.sse");
    GeminiStreamDecoder decoder = new GeminiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    for (byte b : bytes) {
      events.addAll(decoder.feed(Buffer.buffer(new byte[] {b})));
    }
    events.addAll(decoder.finish());
    assertEquals(TEXT_EVENTS, events);
  }

  @Test
  void streamedAndCompleteAnswersAgreeOnIdsAndText() {
    GeminiStreamDecoder decoder = new GeminiStreamDecoder();
    StreamAccumulator accumulator = new StreamAccumulator();
    decoder.feed(GeminiFixtures.buffer("streams/tools.sse")).forEach(accumulator::accept);
    assertEquals("call_qpc2afWVFJK4vr0Pq6WiyAU_0",
        ((dev.ensemble.model.ContentBlock.ToolUse) accumulator.response().content().get(1)).id());
  }

  @Test
  void aStreamCutBeforeTheFinishReasonIsIncomplete() {
    String sse = GeminiFixtures.text("streams/text.sse");
    String firstThree = String.join("\r\n\r\n", Arrays.copyOfRange(sse.split("\r\n\r\n"), 0, 3)) + "\r\n\r\n";
    GeminiStreamDecoder decoder = new GeminiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(firstThree)));
    events.addAll(decoder.finish());
    assertFalse(decoder.completed());
    assertEquals(TEXT_EVENTS.subList(0, 7), events, "nothing is closed or ended on a cut");
  }

  @Test
  void aBlockedPromptEndsTheStreamWithA400() {
    GeminiStreamDecoder decoder = new GeminiStreamDecoder();
    List<StreamEvent> events = decoder.feed(GeminiFixtures.buffer("streams/blocked.sse"));
    assertEquals(1, events.size());
    StreamEvent.Error error = assertInstanceOf(StreamEvent.Error.class, events.get(0));
    assertEquals(400, error.error().status());
    assertFalse(error.error().retryable());
    assertTrue(decoder.completed());
  }

  @Test
  void aSafetyStopMidAnswerEndsWithContentFilter() {
    GeminiStreamDecoder decoder = new GeminiStreamDecoder();
    List<StreamEvent> events = decoder.feed(Buffer.buffer(
        "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Step 1\"}]},\"index\":0}]}\n\n"
            + "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"\"}]},\"finishReason\":\"SAFETY\",\"index\":0}],"
            + "\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":2,\"totalTokenCount\":11}}\n\n"));
    assertEquals(new StreamEvent.ResponseEnd(StopReason.CONTENT_FILTER, null, new Usage(9L, 2L, 0L, null), null),
        events.get(events.size() - 1));
    assertTrue(decoder.completed());
  }

  @Test
  void anErrorFrameEndsTheStreamWithAnErrorEvent() {
    GeminiStreamDecoder decoder = new GeminiStreamDecoder();
    List<StreamEvent> events = decoder.feed(Buffer.buffer(
        "data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\r\n\r\n"));
    StreamEvent.Error error = assertInstanceOf(StreamEvent.Error.class, events.get(0));
    assertEquals(503, error.error().status());
    assertTrue(error.error().retryable());
    assertTrue(decoder.completed());
  }

  @Test
  void aFrameThatIsNotJsonIsAProtocolError() {
    assertThrows(UpstreamProtocolException.class, () -> new GeminiStreamDecoder().feed(Buffer.buffer("data: {oops\n\n")));
  }

  private static void assertSplitsDecodeTo(String fixture, List<StreamEvent> expected) {
    byte[] bytes = GeminiFixtures.bytes(fixture);
    for (int split = 0; split <= bytes.length; split++) {
      GeminiStreamDecoder decoder = new GeminiStreamDecoder();
      List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, 0, split))));
      events.addAll(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, split, bytes.length))));
      events.addAll(decoder.finish());
      assertEquals(expected, events, "split at byte " + split);
      assertTrue(decoder.completed());
    }
  }
}
