package dev.ensemble.providers.vertex;

import dev.ensemble.model.Usage;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The usage a Vertex stream reported before it broke, which the gateway bills: Vertex Claude's {@code message_start}
 * and {@code message_delta} counts, Gemini's last {@code usageMetadata}; nothing before the format is known.
 */
class VertexStreamDecoderTest {

  @Test
  void aClaudeStreamReportsItsMessageStartUsageThenTheOutputOfItsMessageDelta() {
    VertexStreamDecoder decoder = new VertexStreamDecoder();
    assertEquals(Usage.UNKNOWN, decoder.reported(), "nothing decoded yet");

    decoder.feed(Buffer.buffer("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
        + "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
        + "\"usage\":{\"input_tokens\":1000,\"cache_creation_input_tokens\":2000,\"cache_read_input_tokens\":5000,\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n"));
    assertEquals(new Usage(1000L, 1L, 5000L, 2000L), decoder.reported());

    decoder.feed(Buffer.buffer("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
        + "\"usage\":{\"output_tokens\":42}}\n\n"));
    assertFalse(decoder.completed(), "no message_stop: the stream is still incomplete");
    assertEquals(new Usage(1000L, 42L, 5000L, 2000L), decoder.reported());
  }

  @Test
  void aGeminiStreamReportsTheUsageMetadataOfItsLastChunk() {
    VertexStreamDecoder decoder = new VertexStreamDecoder();

    decoder.feed(Buffer.buffer("data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Hel\"}]},\"index\":0}],"
        + "\"usageMetadata\":{\"promptTokenCount\":1200,\"candidatesTokenCount\":3,\"totalTokenCount\":1203,\"cachedContentTokenCount\":200},"
        + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}\r\n\r\n"
        + "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"lo\"}]},\"index\":0}],"
        + "\"usageMetadata\":{\"promptTokenCount\":1200,\"candidatesTokenCount\":7,\"totalTokenCount\":1207,\"cachedContentTokenCount\":200},"
        + "\"modelVersion\":\"gemini-2.5-flash\",\"responseId\":\"r1\"}\r\n\r\n"));

    assertFalse(decoder.completed(), "no finishReason yet");
    // input counts only uncached tokens: 1200 - 200
    assertEquals(new Usage(1000L, 7L, 200L, null), decoder.reported());
  }
}
