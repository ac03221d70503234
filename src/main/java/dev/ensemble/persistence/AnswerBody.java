package dev.ensemble.persistence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The body of an answer in the client's format, as its {@link ResponseRecord} keeps it: the very bytes the client was
 * sent ({@link #of(Buffer)}: a non-streamed answer), a rendering deferred to whoever needs it first
 * ({@link #later}: a streamed answer, whose client got events and never this body; the response store's writer thread
 * writes it straight into the record's JSON, not the event loop), or the tree of a record read back
 * ({@link #of(JsonObject)}). The store writes the bytes as they are into the record's JSON ({@link #writeTo}); a reader
 * gets the tree ({@link #json}).
 *
 * <p>A deferred body is a {@link Writer} (the client format's {@code writeResponse}, no tree): the store runs it with the
 * record's own generator, so its JSON goes into the record without being kept; {@link #bytes()} runs it into bytes of
 * its own and keeps those (the body of a non-streamed answer is made so on the event loop, once, and sent to the
 * client). Either way the bytes are what Vert.x's {@code toBuffer()} makes of the format's tree (a character beyond the
 * BMP as an escaped surrogate pair).
 *
 * <p>Thread-safe: given bytes and trees are only read; bytes rendered are kept once made (two threads racing render
 * the same bytes). Nothing here changes a given Buffer or tree.
 */
public final class AnswerBody {

  /** The generator {@link #bytes()} renders with: Jackson's defaults, as Vert.x's codec writes a tree with. */
  private static final JsonFactory JSON = JsonFactory.builder().build();

  /** Writes a body as the JSON value the generator is at (a pure function of immutable inputs). */
  @FunctionalInterface
  public interface Writer {
    void write(JsonGenerator g) throws IOException;
  }

  private final JsonObject tree;
  private final Writer render;
  private volatile Buffer bytes;

  private AnswerBody(Buffer bytes, JsonObject tree, Writer render) {
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

  /** A body written by {@code render} when first needed, on whichever thread needs it. */
  public static AnswerBody later(Writer render) {
    return new AnswerBody(null, null, render);
  }

  /** The JSON bytes: those given, else the tree encoded or the body rendered (once). */
  public Buffer bytes() {
    Buffer b = bytes;
    if (b == null) {
      b = tree != null ? tree.toBuffer() : rendered();
      bytes = b;
    }
    return b;
  }

  /** The body as a tree, for a reader: the tree given, else the bytes parsed (a new tree each call). */
  public JsonObject json() {
    return tree != null ? tree : new JsonObject(bytes());
  }

  private Buffer rendered() {
    ByteArrayBuilder out = new ByteArrayBuilder();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      render.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  /**
   * Writes the body as the value of the field the generator is at: the bytes as they are, a held tree, or a deferred body
   * rendered straight into {@code g} (its bytes not kept).
   */
  void writeTo(JsonGenerator g) throws IOException {
    Buffer b = bytes;
    if (b != null) {
      g.writeRawValue(new Raw(b));
    } else if (tree != null) {
      JacksonCodec.encodeJson(tree, g);
    } else {
      boolean combined = g.isEnabled(JsonGenerator.Feature.COMBINE_UNICODE_SURROGATES_IN_UTF8);
      g.disable(JsonGenerator.Feature.COMBINE_UNICODE_SURROGATES_IN_UTF8); // as bytes() would render it
      try {
        render.write(g);
      } finally {
        g.configure(JsonGenerator.Feature.COMBINE_UNICODE_SURROGATES_IN_UTF8, combined);
      }
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
