package dev.ensemble.testing.fake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;
import software.amazon.eventstream.MessageDecoder;

class EventStreamFramesTest {

  private static final byte[] FOO_BAR = "{\"foo\": \"bar\"}".getBytes(StandardCharsets.UTF_8);

  @Test
  void encodesAMessageWithoutHeadersAsThePublishedVector() {
    Buffer message = EventStreamFrames.message(Map.of(), FOO_BAR);

    assertArrayEquals(bytes(0, 0, 0, 30, 0, 0, 0, 0, 186, 242, 246, 138), message.getBytes(0, 12));
    assertArrayEquals(bytes(174, 114, 88, 228), message.getBytes(26, 30));
  }

  @Test
  void encodesAStringHeaderAsThePublishedVector() {
    Buffer message = EventStreamFrames.message(Map.of("content-type", "application/json"), FOO_BAR);

    assertArrayEquals(bytes(0, 0, 0, 62, 0, 0, 0, 32, 64, 93, 249, 70, 12), message.getBytes(0, 13));
    assertArrayEquals(bytes(111, 162, 191, 59), message.getBytes(58, 62));
  }

  @Test
  void theAwsSdkDecoderReadsOurChunksAndExceptions() {
    String event = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"h\u00e9\"}}";
    Buffer stream = Buffer.buffer().appendBuffer(EventStreamFrames.chunk(event))
        .appendBuffer(EventStreamFrames.exception("throttlingException", "slow down"));

    MessageDecoder decoder = new MessageDecoder();
    byte[] all = stream.getBytes();
    decoder.feed(all, 0, 7);
    decoder.feed(all, 7, all.length - 7);
    List<Message> messages = decoder.getDecodedMessages();

    assertEquals(2, messages.size());
    Map<String, HeaderValue> chunk = messages.get(0).getHeaders();
    assertEquals("chunk", chunk.get(":event-type").getString());
    assertEquals("event", chunk.get(":message-type").getString());
    assertEquals("application/json", chunk.get(":content-type").getString());
    String bytes = new JsonObject(new String(messages.get(0).getPayload(), StandardCharsets.UTF_8)).getString("bytes");
    assertEquals(event, new String(Base64.getDecoder().decode(bytes), StandardCharsets.UTF_8));
    assertEquals("exception", messages.get(1).getHeaders().get(":message-type").getString());
    assertEquals("throttlingException", messages.get(1).getHeaders().get(":exception-type").getString());
  }

  @Test
  void decodesWhatItEncodes() {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":event-type", "chunk");
    headers.put(":message-type", "event");
    Buffer stream = Buffer.buffer().appendBuffer(EventStreamFrames.message(headers, FOO_BAR))
        .appendBuffer(EventStreamFrames.message(Map.of(), new byte[0]));

    List<EventStreamFrames.Message> messages = EventStreamFrames.decode(stream);

    assertEquals(headers, messages.get(0).headers());
    assertArrayEquals(FOO_BAR, messages.get(0).payload());
    assertEquals(0, messages.get(1).payload().length);
  }

  @Test
  void rejectsACorruptedMessage() {
    Buffer message = EventStreamFrames.chunk("{}");
    message.setByte(20, (byte) (message.getByte(20) ^ 1));

    assertThrows(IllegalArgumentException.class, () -> EventStreamFrames.decode(message));
  }

  private static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }
}
