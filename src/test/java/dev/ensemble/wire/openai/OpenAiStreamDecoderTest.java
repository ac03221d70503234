package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent.BlockDelta;
import dev.ensemble.model.StreamEvent.BlockStart;
import dev.ensemble.model.StreamEvent.BlockStop;
import dev.ensemble.model.StreamEvent.ResponseEnd;
import dev.ensemble.model.StreamEvent.ResponseStart;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

class OpenAiStreamDecoderTest {

  private static final String STREAMS = "providers/openai/streams/";

  private static final List<StreamEvent> TEXT_EVENTS = List.of(
      new ResponseStart("chatcmpl-AbC123", "gpt-4o-mini-2024-07-18", null, null, Usage.UNKNOWN),
      BlockStart.text(0),
      BlockDelta.text(0, "Héllo"),
      BlockDelta.text(0, " wörld 👋"),
      new BlockStop(0),
      new ResponseEnd(StopReason.END_TURN, null, new Usage(226L, 6L, 1024L, null, 0L), null));

  private static final List<StreamEvent> TOOL_EVENTS = List.of(
      new ResponseStart("chatcmpl-T00l5", "gpt-4o-2024-08-06", null, null, Usage.UNKNOWN),
      BlockStart.toolUse(0, "call_Paris01", "get_weather"),
      BlockDelta.partialJson(0, "{\"ci"),
      BlockDelta.partialJson(0, "ty\": \"Paris\"}"),
      new BlockStop(0),
      BlockStart.toolUse(1, "call_Tokyo02", "get_weather"),
      BlockDelta.partialJson(1, "{\"city\": "),
      BlockDelta.partialJson(1, "\"Tokyo\"}"),
      new BlockStop(1),
      new ResponseEnd(StopReason.TOOL_USE, null, new Usage(82L, 46L, 0L, null, 0L), null));

  @Test
  void decodesTextStreamSplitAtEveryByteBoundary() {
    byte[] bytes = Fixtures.bytes(STREAMS + "text.sse");
    for (int split = 0; split <= bytes.length; split++) {
      OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
      List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, 0, split))));
      events.addAll(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, split, bytes.length))));
      events.addAll(decoder.finish());
      assertEquals(TEXT_EVENTS, events, "split at byte " + split);
      assertTrue(decoder.completed());
    }
  }

  @Test
  void decodesTextStreamFedOneByteAtATime() {
    assertEquals(TEXT_EVENTS, byteByByte(Fixtures.bytes(STREAMS + "text.sse")));
  }

  @Test
  void decodesTwoParallelToolCallsSplitAtEveryByteBoundary() {
    byte[] bytes = Fixtures.bytes(STREAMS + "parallel-tools.sse");
    for (int split = 0; split <= bytes.length; split++) {
      OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
      List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, 0, split))));
      events.addAll(decoder.feed(Buffer.buffer(Arrays.copyOfRange(bytes, split, bytes.length))));
      events.addAll(decoder.finish());
      assertEquals(TOOL_EVENTS, events, "split at byte " + split);
    }
  }

  @Test
  void closesBlockOnFinishReasonButEndsOnlyAfterTheUsageChunkAndDone() {
    String sse = Fixtures.text(STREAMS + "text.sse");
    String[] frames = sse.split("\n\n");
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      events.addAll(decoder.feed(Buffer.buffer(frames[i] + "\n\n")));
    }
    assertEquals(TEXT_EVENTS.subList(0, 5), events);
    assertFalse(decoder.completed());
    assertEquals(List.of(), decoder.feed(Buffer.buffer(frames[4] + "\n\n")));
    assertFalse(decoder.completed());
    assertEquals(List.of(TEXT_EVENTS.get(5)), decoder.feed(Buffer.buffer(frames[5] + "\n\n")));
    assertTrue(decoder.completed());
  }

  @Test
  void streamCutBeforeDoneIsNotCompleted() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(Fixtures.bytes(STREAMS + "cut-before-done.sse"))));
    events.addAll(decoder.finish());
    assertEquals(TEXT_EVENTS.subList(0, 4), events);
    assertFalse(decoder.completed());
  }

  @Test
  void streamClosedAfterFinishAndUsageWithoutDoneIsCompleted() {
    String sse = Fixtures.text(STREAMS + "text.sse").replace("data: [DONE]\n\n", "");
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(sse)));
    assertFalse(decoder.completed());
    events.addAll(decoder.finish());
    assertEquals(TEXT_EVENTS, events);
    assertTrue(decoder.completed());
  }

  @Test
  void streamClosedAfterFinishWithoutUsageOrDoneIsNotCompleted() {
    String sse = String.join("\n\n", Arrays.copyOfRange(Fixtures.text(STREAMS + "text.sse").split("\n\n"), 0, 4)) + "\n\n";
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    decoder.feed(Buffer.buffer(sse));
    assertEquals(List.of(), decoder.finish());
    assertFalse(decoder.completed());
  }

  @Test
  void usageInTheFinishChunkItselfIsReported() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(
        "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
            + "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}],"
            + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\n\n"
            + "data: [DONE]\n\n")));
    assertEquals(new ResponseEnd(StopReason.MAX_TOKENS, null, new Usage(5L, 1L, null, null), null),
        events.get(events.size() - 1));
  }

  @Test
  void reasoningContentBecomesAThinkingBlockBeforeTheText() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = decoder.feed(Buffer.buffer(
        "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"reasoning_content\":\"Let me think\"}}]}\n\n"
            + "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"42\"}}]}\n\n"
            + "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: [DONE]\n\n"));
    assertEquals(List.of(
        new ResponseStart("c", "m", null, null, Usage.UNKNOWN),
        BlockStart.thinking(0), BlockDelta.text(0, "Let me think"), new BlockStop(0),
        BlockStart.text(1), BlockDelta.text(1, "42"), new BlockStop(1),
        new ResponseEnd(StopReason.END_TURN, null, Usage.UNKNOWN, null)), events);
  }

  @Test
  void textThenToolCallOpensSeparateBlocks() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = decoder.feed(Buffer.buffer(
        "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Checking.\"}}]}\n\n"
            + "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}\n\n"
            + "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
            + "data: [DONE]\n\n"));
    assertEquals(List.of(
        new ResponseStart("c", "m", null, null, Usage.UNKNOWN),
        BlockStart.text(0), BlockDelta.text(0, "Checking."), new BlockStop(0),
        BlockStart.toolUse(1, "call_1", "f"), BlockDelta.partialJson(1, "{}"), new BlockStop(1),
        new ResponseEnd(StopReason.TOOL_USE, null, Usage.UNKNOWN, null)), events);
  }

  @Test
  void errorChunkEndsTheStreamWithAnErrorEvent() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = decoder.feed(Buffer.buffer(
        "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n"
            + "data: {\"error\":{\"message\":\"The server had an error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n"
            + "data: [DONE]\n\n"));
    assertEquals(4, events.size());
    StreamEvent.Error error = assertInstanceOf(StreamEvent.Error.class, events.get(3));
    assertEquals(ErrorType.UPSTREAM_ERROR, error.error().type());
    assertTrue(error.error().getMessage().contains("The server had an error"));
    assertTrue(decoder.completed());
    assertEquals(List.of(), decoder.finish());
  }

  @Test
  void malformedChunkIsAProtocolError() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    assertThrows(UpstreamProtocolException.class, () -> decoder.feed(Buffer.buffer("data: {\"id\":\"c\",\"choices\":[\n\n")));
  }

  @Test
  void interleavedToolArgumentsAreAProtocolError() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    decoder.feed(Buffer.buffer(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}\n\n"
            + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"\"}}]}}]}\n\n"));
    assertThrows(UpstreamProtocolException.class, () -> decoder.feed(Buffer.buffer(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{}\"}}]}}]}\n\n")));
  }

  private static List<StreamEvent> byteByByte(byte[] bytes) {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>();
    for (byte b : bytes) {
      events.addAll(decoder.feed(Buffer.buffer(new byte[] {b})));
    }
    events.addAll(decoder.finish());
    return events;
  }

  static List<StreamEvent> decodeAll(String sse) {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(sse.getBytes(StandardCharsets.UTF_8))));
    events.addAll(decoder.finish());
    return events;
  }
}
