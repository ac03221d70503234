package dev.ensemble.wire;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;

/**
 * Reads a complete answer's body in one pass of Jackson's streaming parser: the top-level fields a decoder uses as
 * values (the same {@link JsonObject}s, arrays, strings and numbers a tree of the whole body would hold), every other
 * field skipped without building it, and where the values of the fields the gateway may replace lie in the bytes.
 *
 * <p>It gives up (null) on anything it is not sure of: a body that is not one JSON object, a used field that comes
 * twice (a tree keeps the last, this does not try), JSON Jackson's strict parser refuses. The caller then reads the
 * body as a tree, which decides as it always did, errors included. Stateless; the bytes are only read.
 */
public final class BodyFields {

  /** The used fields, and the spans (start, end: -1 when absent or not a string or integer) of the {@code spliced} ones. */
  public record Read(JsonObject fields, int[] spans) {

    /** The start of the value of the {@code i}-th spliced field, or -1. */
    public int start(int i) {
      return spans[2 * i];
    }

    /** The end (exclusive) of the value of the {@code i}-th spliced field, or -1. */
    public int end(int i) {
      return spans[2 * i + 1];
    }
  }

  private final java.util.Set<String> used;
  private final String[] spliced;

  /**
   * @param used    the top-level fields read as values
   * @param spliced the top-level fields (among {@code used}) whose value's place in the bytes is kept
   */
  public BodyFields(java.util.Set<String> used, String... spliced) {
    this.used = java.util.Set.copyOf(used);
    this.spliced = spliced.clone();
  }

  /** The used fields of {@code body}, or null when the body is to be read as a tree. */
  public Read read(Buffer body) {
    byte[] bytes = body.getBytes();
    int[] spans = new int[spliced.length * 2];
    java.util.Arrays.fill(spans, -1);
    JsonObject fields = new JsonObject();
    try (JsonParser p = JsonStreams.parser(bytes, 0, bytes.length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken token = p.nextToken();
        if (!used.contains(name)) {
          p.skipChildren();
          continue;
        }
        if (fields.containsKey(name)) {
          return null;
        }
        int splice = indexOf(name);
        int start = splice < 0 ? -1 : (int) p.currentTokenLocation().getByteOffset();
        fields.put(name, JsonStreams.readValue(p));
        if (splice >= 0 && (token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT)) {
          int end = (int) p.currentLocation().getByteOffset();
          if (token == JsonToken.VALUE_STRING && bytes[start] == '"' && bytes[end - 1] == '"'
              || token == JsonToken.VALUE_NUMBER_INT && end > start && bytes[end - 1] >= '0' && bytes[end - 1] <= '9') {
            spans[2 * splice] = start;
            spans[2 * splice + 1] = end;
          }
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || !JsonStreams.atEnd(p)) {
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return new Read(fields, spans);
  }

  private int indexOf(String name) {
    for (int i = 0; i < spliced.length; i++) {
      if (spliced[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }
}
