package dev.ensemble.wire.anthropic;

import com.anthropic.core.ObjectMappers;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.ensemble.model.BlockKind;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.SseEvent;
import dev.ensemble.wire.SseParser;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AnthropicStreamEncoderTest {

  private static String encodeAll(ResponseContext ctx, List<StreamEvent> events) {
    AnthropicStreamEncoder encoder = new AnthropicStreamEncoder(ctx);
    Buffer out = Buffer.buffer();
    for (StreamEvent event : events) {
      out.appendBuffer(encoder.encode(event));
    }
    return out.toString();
  }

  @Test
  void rendersTextAndToolUseExactlyAsAnthropicDoes() {
    String sse = encodeAll(new ResponseContext("r1", "claude-sonnet-4-5", 0), AnthropicStreamDecoderTest.TEXT_AND_TOOL_USE);

    assertEquals(AnthropicFixtures.text("streams/text-and-tool-use.client.sse"), sse);
  }

  @Test
  void rendersThinkingWithSignatureDeltas() {
    String sse = encodeAll(new ResponseContext("r2", "claude-sonnet-4-5", 0), AnthropicStreamDecoderTest.THINKING);

    assertEquals(AnthropicFixtures.text("streams/thinking.client.sse"), sse);
  }

  @Test
  void upstreamStreamDecodedAndReEncodedIsReadByTheOfficialSdk() throws Exception {
    String sse = encodeAll(new ResponseContext("r2", "claude-sonnet-4-5", 0),
        AnthropicFixtures.decodeAll(new AnthropicStreamDecoder(), AnthropicFixtures.bytes("streams/thinking.sse")));
    MessageAccumulator accumulator = MessageAccumulator.create();

    for (SseEvent event : new SseParser().feed(Buffer.buffer(sse))) {
      if (!"ping".equals(event.event())) {
        accumulator.accumulate(ObjectMappers.jsonMapper().readValue(event.data(), RawMessageStreamEvent.class));
      }
    }
    Message message = accumulator.message();

    assertEquals("msg_r2", message.id());
    assertEquals("Let me solve this step by step:\n\n1. 27 * 453 = 12231", message.content().get(0).asThinking().thinking());
    assertEquals("EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds", message.content().get(0).asThinking().signature());
    assertEquals("27 * 453 = 12,231", message.content().get(1).asText().text());
    assertEquals(310L, message.usage().outputTokens());
    assertEquals(2048L, message.usage().cacheCreationInputTokens().orElseThrow());
  }

  @Test
  void reportsZerosUpFrontAndOnlyKnownUsageAtTheEnd() {
    String sse = encodeAll(new ResponseContext("r3", "gpt-4o", 0), List.of(
        new StreamEvent.ResponseStart("chatcmpl-x", "gpt-4o-2024", null, null, Usage.UNKNOWN),
        StreamEvent.BlockStart.text(0),
        StreamEvent.BlockDelta.text(0, "hi"),
        new StreamEvent.BlockStop(0),
        new StreamEvent.ResponseEnd(StopReason.CONTENT_FILTER, null, new Usage(5L, 2L, 3L, null), null)));

    assertEquals("""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_r3","type":"message","role":"assistant","model":"gpt-4o","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0}}}

        event: ping
        data: {"type":"ping"}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"input_tokens":5,"cache_read_input_tokens":3,"output_tokens":2}}

        event: message_stop
        data: {"type":"message_stop"}

        """, sse);
  }

  @Test
  void rendersErrorEventInAnthropicShape() {
    GatewayError overloaded = new GatewayError(ErrorType.OVERLOADED, 503, "Overloaded", true, null, null);

    String sse = new AnthropicStreamEncoder(new ResponseContext("r", "m", 0)).encode(new StreamEvent.Error(overloaded)).toString();

    assertEquals("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", sse);
  }

  @Test
  void leavesOutBlocksAMessagesStreamCannotHoldAndKeepsIndicesContiguous() {
    String sse = encodeAll(new ResponseContext("r", "m", 0), List.of(
        new StreamEvent.BlockStart(0, BlockKind.IMAGE, null, null),
        StreamEvent.BlockDelta.text(0, "ignored"),
        new StreamEvent.BlockStop(0),
        StreamEvent.BlockStart.toolUse(1, "call_1", "f"),
        StreamEvent.BlockDelta.partialJson(1, "{}"),
        new StreamEvent.BlockStop(1)));

    assertEquals("""
        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"call_1","name":"f","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        """, sse);
  }
}
