package dev.ensemble.testing.fake;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The AWS event stream encoding ({@code application/vnd.amazon.eventstream}), written from its public description:
 * a message is total length (4 bytes), headers length (4), CRC32 of those 8 bytes (4), the headers, the payload,
 * and a CRC32 of everything before it (4), all big-endian. A header is name length (1), name, value type (1;
 * 7 = string), value length (2), value. Only string headers, which is all Bedrock sends.
 */
public final class EventStreamFrames {

  private static final int STRING = 7;
  private static final int PRELUDE = 8;
  private static final int OVERHEAD = 16;

  /** One decoded message. */
  public record Message(Map<String, String> headers, byte[] payload) {
    public String payloadText() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private EventStreamFrames() {
  }

  /** Bedrock's {@code chunk} event carrying one Anthropic stream event: {@code {"bytes":"<base64>"}}. */
  public static Buffer chunk(String eventJson) {
    String bytes = Base64.getEncoder().encodeToString(eventJson.getBytes(StandardCharsets.UTF_8));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":event-type", "chunk");
    headers.put(":content-type", "application/json");
    headers.put(":message-type", "event");
    return message(headers, new JsonObject().put("bytes", bytes).encode().getBytes(StandardCharsets.UTF_8));
  }

  /** An exception message, e.g. {@code modelStreamErrorException} (the member name, as Bedrock sends it). */
  public static Buffer exception(String exceptionType, String message) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(":exception-type", exceptionType);
    headers.put(":content-type", "application/json");
    headers.put(":message-type", "exception");
    return message(headers, new JsonObject().put("message", message).encode().getBytes(StandardCharsets.UTF_8));
  }

  public static Buffer message(Map<String, String> headers, byte[] payload) {
    Buffer head = Buffer.buffer();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      byte[] name = header.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
      head.appendByte((byte) name.length).appendBytes(name).appendByte((byte) STRING)
          .appendShort((short) value.length).appendBytes(value);
    }
    Buffer message = Buffer.buffer()
        .appendInt(OVERHEAD + head.length() + payload.length)
        .appendInt(head.length());
    message.appendUnsignedInt(crc(message.getBytes()));
    message.appendBuffer(head).appendBytes(payload);
    message.appendUnsignedInt(crc(message.getBytes()));
    return message;
  }

  /** Decodes consecutive messages, checking both CRCs and every length. */
  public static List<Message> decode(Buffer stream) {
    List<Message> messages = new ArrayList<>();
    int at = 0;
    while (at < stream.length()) {
      int total = stream.getInt(at);
      int headersLength = stream.getInt(at + 4);
      if (stream.getUnsignedInt(at + PRELUDE) != crc(stream.getBytes(at, at + PRELUDE))) {
        throw new IllegalArgumentException("prelude CRC mismatch at " + at);
      }
      if (stream.getUnsignedInt(at + total - 4) != crc(stream.getBytes(at, at + total - 4))) {
        throw new IllegalArgumentException("message CRC mismatch at " + at);
      }
      Map<String, String> headers = new LinkedHashMap<>();
      int h = at + PRELUDE + 4;
      int headersEnd = h + headersLength;
      while (h < headersEnd) {
        int nameLength = stream.getUnsignedByte(h);
        String name = stream.getString(h + 1, h + 1 + nameLength, "UTF-8");
        h += 1 + nameLength;
        if (stream.getByte(h) != STRING) {
          throw new IllegalArgumentException("header " + name + " is not a string");
        }
        int valueLength = stream.getUnsignedShort(h + 1);
        headers.put(name, stream.getString(h + 3, h + 3 + valueLength, "UTF-8"));
        h += 3 + valueLength;
      }
      messages.add(new Message(headers, stream.getBytes(headersEnd, at + total - 4)));
      at += total;
    }
    return messages;
  }

  private static long crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }
}
