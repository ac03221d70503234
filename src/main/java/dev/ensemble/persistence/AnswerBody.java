package dev.ensemble.persistence;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The body of an answer in the client's format, as its {@link ResponseRecord} keeps it: the very bytes the client was
 * sent ({@link #of(Buffer)}: a non-streamed answer), a rendering deferred to whoever needs it first
 * ({@link #later}: a streamed answer, whose client got events and never this body; the response store's writer thread
 * renders it, not the event loop), or the tree of a record read back ({@link #of(JsonObject)}). The store writes the
 * bytes as they are into the record's JSON ({@link #writeTo}); a reader gets the tree ({@link #json}).
 *
 * <p>Thread-safe: given bytes and trees are only read; a deferred rendering is kept once made (two threads racing
 * render the same bytes). Nothing here changes a given Buffer or tree.
 */
public final class AnswerBody {

  private final JsonObject tree;
  private final Supplier<JsonObject> render;
  private volatile Buffer bytes;

  private AnswerBody(Buffer bytes, JsonObject tree, Supplier<JsonObject> render) {
    this.bytes = bytes;
    this.tree = tree;
    this.render = render;
  }

  /** The JSON bytes the client was sent, kept as they are; null for none. */
  public static AnswerBody of(Buffer bytes) {
    return bytes == null ? null : new AnswerBody(bytes, null, null);
  }

  /** A body held as a tree (a record read back, or made off the request path); null for none. */
  public static AnswerBody of(JsonObject tree) {
    return tree == null ? null : new AnswerBody(null, tree, null);
  }

  /** A body rendered by {@code render} when first needed, on whichever thread needs it (a pure function of immutable inputs). */
  public static AnswerBody later(Supplier<JsonObject> render) {
    return new AnswerBody(null, null, render);
  }

  /** The JSON bytes: those given, else the tree encoded (once). */
  public Buffer bytes() {
    Buffer b = bytes;
    if (b == null) {
      b = (tree != null ? tree : render.get()).toBuffer();
      bytes = b;
    }
    return b;
  }

  /** The body as a tree, for a reader: the tree given, else the bytes parsed (a new tree each call). */
  public JsonObject json() {
    return tree != null ? tree : new JsonObject(bytes());
  }

  /** Writes the body as the value of the field the generator is at: the bytes as they are, or a held tree. */
  void writeTo(JsonGenerator g) throws IOException {
    if (bytes == null && tree != null) {
      JacksonCodec.encodeJson(tree, g);
    } else {
      g.writeRawValue(new Raw(bytes()));
    }
  }

  /** JSON bytes handed to Jackson as a raw value: copied straight into its output buffer when they fit. */
  private record Raw(Buffer bytes) implements SerializableString {

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int offset) {
      int n = bytes.length();
      if (offset + n > buffer.length) {
        return -1;
      }
      bytes.getBytes(buffer, offset);
      return n;
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return bytes.getBytes();
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      byte[] b = bytes.getBytes();
      out.write(b);
      return b.length;
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      byte[] b = bytes.getBytes();
      if (b.length > buffer.remaining()) {
        return -1;
      }
      buffer.put(b);
      return b.length;
    }

    @Override
    public String getValue() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }


    @Override
    public byte[] asQuotedUTF8() {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int offset) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int appendQuoted(char[] buffer, int offset) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int appendUnquoted(char[] buffer, int offset) {
      char[] chars = getValue().toCharArray();
      if (offset + chars.length > buffer.length) {
        return -1;
      }
      System.arraycopy(chars, 0, buffer, offset, chars.length);
      return chars.length;
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      throw new UnsupportedOperationException("a raw JSON value is never quoted");
    }
  }
}
