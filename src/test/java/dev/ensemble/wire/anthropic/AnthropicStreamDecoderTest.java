package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent.BlockDelta;
import dev.ensemble.model.StreamEvent.BlockStart;
import dev.ensemble.model.StreamEvent.BlockStop;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static dev.ensemble.wire.anthropic.AnthropicFixtures.decodeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnthropicStreamDecoderTest {

  static final List<StreamEvent> TEXT_AND_TOOL_USE = List.of(
      new StreamEvent.ResponseStart("msg_014p7gG3wDgGV9EUtLvnow3U", "claude-sonnet-4-5-20250929", null, null,
          new Usage(472L, 2L, 1200L, 0L)),
      BlockStart.text(0),
      BlockDelta.text(0, "Okay, let's check the weather in Paris"),
      BlockDelta.text(0, " — it's 18°C ☀️:"),
      new BlockStop(0),
      BlockStart.toolUse(1, "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather"),
      BlockDelta.partialJson(1, "{\"location\":"),
      BlockDelta.partialJson(1, " \"Paris, FR\", \"unit\": \"cel"),
      BlockDelta.partialJson(1, "sius\"}"),
      new BlockStop(1),
      new StreamEvent.ResponseEnd(StopReason.TOOL_USE, null, new Usage(472L, 89L, 1200L, 0L), null));

  static final List<StreamEvent> THINKING = List.of(
      new StreamEvent.ResponseStart("msg_01BfJ9xVq5Lk8mRq3Nn7Q2Xy", "claude-sonnet-4-5-20250929", null, null,
          new Usage(85L, 1L, 0L, 2048L)),
      BlockStart.thinking(0),
      BlockDelta.text(0, "Let me solve this step by step:\n\n1. 27 * 453"),
      BlockDelta.text(0, " = 12231"),
      BlockDelta.signature(0, "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"),
      new BlockStop(0),
      BlockStart.text(1),
      BlockDelta.text(1, "27 * 453 = 12,231"),
      new BlockStop(1),
      new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(85L, 310L, 0L, 2048L), null));

  @Test
  void decodesTextAndToolUseStreamIntoExactEvents() {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();

    assertEquals(TEXT_AND_TOOL_USE, decodeAll(decoder, AnthropicFixtures.bytes("streams/text-and-tool-use.sse")));
    assertTrue(decoder.completed());
  }

  @Test
  void givesTheSameEventsWhateverByteTheStreamIsSplitAt() {
    byte[] bytes = AnthropicFixtures.bytes("streams/text-and-tool-use.sse");
    for (int split = 0; split <= bytes.length; split++) {
      AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();

      List<StreamEvent> events = decodeAll(decoder,
          Arrays.copyOfRange(bytes, 0, split), Arrays.copyOfRange(bytes, split, bytes.length));

      assertEquals(TEXT_AND_TOOL_USE, events, "split at byte " + split);
      assertTrue(decoder.completed());
    }
  }

  @Test
  void givesTheSameEventsFedOneByteAtATimeWithCrlfLineEnds() {
    byte[] bytes = AnthropicFixtures.text("streams/text-and-tool-use.sse").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();
    byte[][] chunks = new byte[bytes.length][];
    for (int i = 0; i < bytes.length; i++) {
      chunks[i] = new byte[] {bytes[i]};
    }

    assertEquals(TEXT_AND_TOOL_USE, decodeAll(decoder, chunks));
  }

  @Test
  void decodesThinkingWithSignatureSkippingRedactedBlockAndRenumbering() {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();

    assertEquals(THINKING, decodeAll(decoder, AnthropicFixtures.bytes("streams/thinking.sse")));
  }

  @Test
  void mergesUsageOfMessageStartAndMessageDeltaIncludingCacheFields() {
    String stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":10,"cache_creation_input_tokens":null,"cache_read_input_tokens":500,"output_tokens":1}}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"input_tokens":12,"cache_creation_input_tokens":30,"output_tokens":7}}

        event: message_delta
        data: {"type":"message_delta","delta":{},"usage":{"output_tokens":9}}

        event: message_stop
        data: {"type":"message_stop"}

        """;

    List<StreamEvent> events = decodeAll(new AnthropicStreamDecoder(), stream.getBytes(StandardCharsets.UTF_8));

    assertEquals(new Usage(10L, 1L, 500L, null), ((StreamEvent.ResponseStart) events.get(0)).usage());
    assertEquals(new StreamEvent.ResponseEnd(StopReason.MAX_TOKENS, null, new Usage(12L, 9L, 500L, 30L), null), events.get(1));
  }

  @Test
  void endsWithOverloadedErrorMidStream() {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();

    List<StreamEvent> events = decodeAll(decoder, AnthropicFixtures.bytes("streams/overloaded-mid-stream.sse"));

    assertEquals(4, events.size());
    assertEquals(BlockDelta.text(0, "Hello"), events.get(2));
    StreamEvent.Error error = assertInstanceOf(StreamEvent.Error.class, events.get(3));
    assertEquals(ErrorType.OVERLOADED, error.error().type());
    assertEquals(503, error.error().status());
    assertTrue(error.error().retryable());
    assertEquals("Overloaded", error.error().getMessage());
    assertTrue(decoder.completed());
  }

  @Test
  void mapsApiErrorEventToRetryableUpstreamError() {
    List<StreamEvent> events = decodeAll(new AnthropicStreamDecoder(),
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}\n\n"
            .getBytes(StandardCharsets.UTF_8));

    StreamEvent.Error error = assertInstanceOf(StreamEvent.Error.class, events.get(0));
    assertEquals(ErrorType.UPSTREAM_ERROR, error.error().type());
    assertEquals(502, error.error().status());
    assertTrue(error.error().retryable());
  }

  @Test
  void truncatedStreamIsNotCompleted() {
    String full = AnthropicFixtures.text("streams/text-and-tool-use.sse");
    byte[] cut = full.substring(0, full.indexOf("event: message_stop")).getBytes(StandardCharsets.UTF_8);
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();

    List<StreamEvent> events = decodeAll(decoder, cut);

    assertEquals(TEXT_AND_TOOL_USE.subList(0, TEXT_AND_TOOL_USE.size() - 1), events);
    assertFalse(decoder.completed());
  }

  @Test
  void ignoresEverythingAfterTheTerminalEvent() {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder();
    decodeAll(decoder, AnthropicFixtures.bytes("streams/text-and-tool-use.sse"));

    assertEquals(List.of(), decoder.feed(Buffer.buffer("event: ping\ndata: {\"type\":\"ping\"}\n\nevent: message_stop\ndata: {}\n\n")));
  }

  @Test
  void rejectsMalformedJsonAndEventsOutOfOrder() {
    assertThrows(UpstreamProtocolException.class,
        () -> new AnthropicStreamDecoder().feed(Buffer.buffer("event: message_start\ndata: {\"type\":\n\n")));
    assertThrows(UpstreamProtocolException.class,
        () -> new AnthropicStreamDecoder().feed(Buffer.buffer("event: content_block_start\ndata: {\"index\":0,\"content_block\":{\"type\":\"text\"}}\n\n")));
    AnthropicStreamDecoder started = new AnthropicStreamDecoder();
    started.feed(Buffer.buffer("event: message_start\ndata: {\"message\":{\"id\":\"m\"}}\n\n"));
    assertThrows(UpstreamProtocolException.class,
        () -> started.feed(Buffer.buffer("event: content_block_delta\ndata: {\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\n\n")));
  }
}
