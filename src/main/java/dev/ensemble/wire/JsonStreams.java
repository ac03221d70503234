package dev.ensemble.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * Jackson's streaming parser and generator for the stream codecs: a chunk is read token by token into the values
 * a decoder needs, and an event is written as bytes, without building a {@link JsonObject} tree per chunk. The
 * factory is immutable and thread-safe (Jackson recycles its buffers per thread).
 */
public final class JsonStreams {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private JsonStreams() {
  }

  /** A parser over {@code bytes[offset, offset + length)}, UTF-8 JSON. */
  public static JsonParser parser(byte[] bytes, int offset, int length) throws IOException {
    return FACTORY.createParser(bytes, offset, length);
  }

  /**
   * The value at the parser's current token, for the few places that want a tree (an {@code error} or {@code usage}
   * object, once per stream): a {@link JsonObject}, {@link JsonArray}, String, Number, Boolean or null.
   */
  public static Object readValue(JsonParser p) throws IOException {
    JsonToken token = p.currentToken();
    if (token == null) {
      return null;
    }
    switch (token) {
      case START_OBJECT -> {
        JsonObject object = new JsonObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          object.put(name, readValue(p));
        }
        return object;
      }
      case START_ARRAY -> {
        JsonArray array = new JsonArray();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          array.add(readValue(p));
        }
        return array;
      }
      case VALUE_STRING -> {
        return p.getText();
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return p.getNumberValue();
      }
      case VALUE_TRUE -> {
        return Boolean.TRUE;
      }
      case VALUE_FALSE -> {
        return Boolean.FALSE;
      }
      default -> {
        return null;
      }
    }
  }

  /** A string value as it is, null for JSON null, and for any other value its tree (for the caller to refuse). */
  public static Object scalar(JsonParser p) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    return token == JsonToken.VALUE_NULL ? null : readValue(p);
  }

  /** After the top-level value: anything but the end of input is malformed JSON. */
  public static boolean atEnd(JsonParser p) throws IOException {
    return p.nextToken() == null;
  }

  /** {@code text} as the UTF-8 bytes of a JSON string's content (escaped, without the quotes). */
  public static byte[] quoted(String text) {
    return JsonStringEncoder.getInstance().quoteAsUTF8(text);
  }

  /** Appends {@code "text"} (a JSON string, escaped) to {@code out}. */
  public static Buffer appendString(Buffer out, String text) {
    return out.appendByte((byte) '"').appendBytes(quoted(text)).appendByte((byte) '"');
  }
}
