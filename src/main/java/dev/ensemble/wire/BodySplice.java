package dev.ensemble.wire;

import dev.ensemble.model.UpstreamBody;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * A complete answer passed through to a client speaking the upstream's own format: the upstream's bytes as they
 * came, with the values the gateway owns (its response id, the model name the client asked for, its creation time)
 * put in place of the upstream's. Stateless.
 */
public final class BodySplice {

  private BodySplice() {
  }

  /**
   * {@code body}'s bytes with its id, model and (when {@code created} is not null) creation time replaced by the given
   * JSON values, in one new buffer.
   */
  public static Buffer splice(UpstreamBody body, byte[] id, byte[] model, byte[] created) {
    Buffer in = body.bytes();
    int[][] spans = created == null
        ? new int[][] {{body.idStart(), body.idEnd(), 0}, {body.modelStart(), body.modelEnd(), 1}}
        : new int[][] {{body.idStart(), body.idEnd(), 0}, {body.modelStart(), body.modelEnd(), 1}, {body.createdStart(), body.createdEnd(), 2}};
    java.util.Arrays.sort(spans, (a, b) -> Integer.compare(a[0], b[0]));
    byte[][] values = {id, model, created};
    Buffer out = Buffer.buffer(in.length() + id.length + model.length + 32);
    int at = 0;
    for (int[] span : spans) {
      if (span[0] < at || span[1] > in.length() || span[1] <= span[0]) {
        throw new IllegalArgumentException("spans of the upstream body overlap or lie outside it");
      }
      out.appendBuffer(in, at, span[0] - at).appendBytes(values[span[2]]);
      at = span[1];
    }
    return out.appendBuffer(in, at, in.length() - at);
  }

  /** {@code text} as a JSON string value (quoted, escaped); null as {@code null}. */
  public static byte[] string(String text) {
    if (text == null) {
      return "null".getBytes(StandardCharsets.US_ASCII);
    }
    return JsonStreams.appendString(Buffer.buffer(text.length() + 2), text).getBytes();
  }

  /** A number as its JSON digits. */
  public static byte[] number(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }
}
