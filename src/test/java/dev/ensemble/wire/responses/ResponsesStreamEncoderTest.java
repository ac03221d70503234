package dev.ensemble.wire.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.openai.OpenAiErrors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A thinking block, then text, as the Responses API's reasoning and message events, and the encrypted-reasoning rule. */
class ResponsesStreamEncoderTest {

  @Test
  void signedThinkingStreamsAsAReasoningItemWhoseEncryptedContentComesBackAsTheSameThinking() {
    ResponseContext context = new ResponseContext("req1", "claude-test", 1_700_000_000L,
        new JsonObject().put("include_encrypted_reasoning", true));
    ResponsesStreamEncoder encoder = new ResponsesStreamEncoder(context, new ResponseObjects(), new OpenAiErrors());
    Buffer out = Buffer.buffer();
    for (StreamEvent event : List.of(new StreamEvent.ResponseStart("u1", "m", null, null, Usage.UNKNOWN),
        StreamEvent.BlockStart.thinking(0), StreamEvent.BlockDelta.text(0, "Think"), StreamEvent.BlockDelta.text(0, "ing."),
        StreamEvent.BlockDelta.signature(0, "sig-1"), new StreamEvent.BlockStop(0),
        StreamEvent.BlockStart.text(1), StreamEvent.BlockDelta.text(1, "Hi"), new StreamEvent.BlockStop(1),
        new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(3L, 4L, null, null), null))) {
      out.appendBuffer(encoder.encode(event));
    }

    List<JsonObject> events = new ArrayList<>();
    for (String frame : out.toString().split("\n\n")) {
      events.add(new JsonObject(frame.substring(frame.indexOf("data: ") + 6)));
    }
    assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added", "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done", "response.output_item.done", "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done",
        "response.completed"), events.stream().map(e -> e.getString("type")).toList());
    JsonObject reasoning = events.get(8).getJsonObject("item");
    assertEquals("Thinking.", reasoning.getJsonArray("summary").getJsonObject(0).getString("text"));
    JsonObject finalReasoning = events.get(15).getJsonObject("response").getJsonArray("output").getJsonObject(0);
    assertEquals(reasoning.getString("encrypted_content"), finalReasoning.getString("encrypted_content"));
    assertEquals(reasoning.getString("id"), finalReasoning.getString("id"));
    assertEquals(new ContentBlock.Thinking("Thinking.", "sig-1", null), EncryptedReasoning.read(reasoning.getString("encrypted_content")));
    assertEquals(1, events.get(9).getInteger("output_index"));
    assertEquals(7, events.get(15).getJsonObject("response").getJsonObject("usage").getInteger("total_tokens"));
  }

  @Test
  void encryptedContentMintedElsewhereIsDropped() {
    assertNull(EncryptedReasoning.read("gAAAAABo-openai-minted"));
    assertNull(EncryptedReasoning.read(EncryptedReasoning.PREFIX + "not base64 json"));
    assertNull(EncryptedReasoning.mint(new ContentBlock.Thinking("plain", null, null)), "unsigned thinking carries nothing to hand back");
    assertTrue(EncryptedReasoning.mint(new ContentBlock.Thinking(null, null, "redacted-bytes")).startsWith(EncryptedReasoning.PREFIX));
  }
}
