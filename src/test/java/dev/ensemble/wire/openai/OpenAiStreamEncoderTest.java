package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletionChunk;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.StreamEvent.BlockDelta;
import dev.ensemble.model.StreamEvent.BlockStart;
import dev.ensemble.model.StreamEvent.BlockStop;
import dev.ensemble.model.StreamEvent.ResponseEnd;
import dev.ensemble.model.StreamEvent.ResponseStart;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

class OpenAiStreamEncoderTest {

  private static final ResponseContext CTX = new ResponseContext("req_1", "gpt-4o", 1_700_000_000L);

  private static final List<StreamEvent> TEXT_ANSWER = List.of(
      new ResponseStart("upstream-id", "upstream-model", "openai", "ep1", Usage.UNKNOWN),
      BlockStart.text(0),
      BlockDelta.text(0, "Hello"),
      BlockDelta.text(0, " wörld"),
      new BlockStop(0),
      new ResponseEnd(StopReason.END_TURN, null, new Usage(226L, 6L, 1024L, null), 0.001));

  private static final List<StreamEvent> TOOL_ANSWER = List.of(
      new ResponseStart("upstream-id", "upstream-model", null, null, Usage.UNKNOWN),
      BlockStart.thinking(0),
      BlockDelta.text(0, "the user wants two things"),
      BlockDelta.signature(0, "sig"),
      new BlockStop(0),
      BlockStart.text(1),
      BlockDelta.text(1, "Checking both."),
      new BlockStop(1),
      BlockStart.toolUse(2, "toolu_A", "get_weather"),
      BlockDelta.partialJson(2, "{\"city\":"),
      BlockDelta.partialJson(2, "\"Paris\"}"),
      new BlockStop(2),
      BlockStart.toolUse(3, "toolu_B", "get_time"),
      BlockDelta.partialJson(3, "{}"),
      new BlockStop(3),
      new ResponseEnd(StopReason.TOOL_USE, null, new Usage(10L, 20L, null, null), null));

  @Test
  void encodesTextAnswerWithUsageChunkExactlyAsOpenAiDoes() {
    assertEquals(Fixtures.text("wire/openai/streams/text-answer.sse"), encodeAll(TEXT_ANSWER, true));
  }

  @Test
  void encodesToolAnswerWithToolCallIndicesAndWithoutUsage() {
    assertEquals(Fixtures.text("wire/openai/streams/tool-answer.sse"), encodeAll(TOOL_ANSWER, false));
  }

  @Test
  void everyChunkParsesAsAnSdkChatCompletionChunk() throws Exception {
    for (String sse : List.of(encodeAll(TEXT_ANSWER, true), encodeAll(TOOL_ANSWER, false))) {
      for (String frame : sse.split("\n\n")) {
        String data = frame.substring("data: ".length());
        if (!data.equals("[DONE]")) {
          ObjectMappers.jsonMapper().readValue(data, ChatCompletionChunk.class).validate();
        }
      }
    }
  }

  @Test
  void roundTripsThroughTheUpstreamDecoder() {
    List<StreamEvent> decoded = OpenAiStreamDecoderTest.decodeAll(encodeAll(TEXT_ANSWER, true));
    assertEquals(new ResponseStart("chatcmpl-req_1", "gpt-4o", null, null, Usage.UNKNOWN), decoded.get(0));
    assertEquals(TEXT_ANSWER.subList(1, 5), decoded.subList(1, 5));
    assertEquals(new ResponseEnd(StopReason.END_TURN, null, new Usage(226L, 6L, 1024L, null, 0L), null), decoded.get(5));
  }

  @Test
  void errorEndsTheStreamWithoutDone() {
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(CTX, true, new OpenAiErrors());
    encoder.encode(TEXT_ANSWER.get(0));
    Buffer out = encoder.encode(new StreamEvent.Error(GatewayError.of(ErrorType.UPSTREAM_ERROR, "upstream stream cut")));
    String text = out.toString();
    assertTrue(text.startsWith("data: {") && text.endsWith("\n\n"), text);
    assertEquals(new JsonObject().put("error", new JsonObject().put("message", "upstream stream cut")
        .put("type", "server_error").put("param", null).put("code", "upstream_error")),
        new JsonObject(text.substring(6).trim()));
    assertEquals(0, encoder.encode(new ResponseEnd(StopReason.END_TURN, null, Usage.UNKNOWN, null)).length());
  }

  private static String encodeAll(List<StreamEvent> events, boolean includeUsage) {
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(CTX, includeUsage, new OpenAiErrors());
    Buffer out = Buffer.buffer();
    events.forEach(e -> out.appendBuffer(encoder.encode(e)));
    return out.toString();
  }
}
