package dev.ensemble.wire;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.core.json.jackson.JacksonCodec;

import java.util.List;
import java.util.Map;

/**
 * The node's Vert.x JSON codec ({@code Json.CODEC}, behind {@code JsonObject.encode()}, {@code toBuffer()},
 * {@code new JsonObject(String)} and {@code Json.decodeValue}): Vert.x's databind codec, except that JSON trees are
 * written and read by walking them with Jackson's streaming generator and parser instead of going through
 * jackson-databind's {@code Map} serializer and untyped deserializer. The bytes are the same (the same generator
 * writes them; field order, numbers, {@code Instant}s, {@code byte[]}, enums as before); only the per-value serializer
 * lookups are gone. Values the tree walk does not know (a POJO put into a {@code JsonObject}) are written by databind
 * as before, as are typed decodes ({@code mapTo}, {@code decodeValue(..., SomeClass.class)}).
 *
 * <p>Installed through {@link TreeJsonFactory} ({@code META-INF/services/io.vertx.core.spi.JsonFactory}). Stateless and
 * thread-safe.
 */
public final class TreeJsonCodec extends DatabindCodec {

  private static final JacksonCodec TREE = new JacksonCodec();

  @Override
  public String toString(Object object, boolean pretty) throws EncodeException {
    if (pretty) {
      return super.toString(object, true);
    }
    try {
      return TREE.toString(object, false);
    } catch (EncodeException notATree) {
      return super.toString(object, false);
    }
  }

  @Override
  public Buffer toBuffer(Object object, boolean pretty) throws EncodeException {
    if (pretty) {
      return super.toBuffer(object, true);
    }
    try {
      return TREE.toBuffer(object, false);
    } catch (EncodeException notATree) {
      return super.toBuffer(object, false);
    }
  }

  @Override
  public <T> T fromString(String str, Class<T> clazz) throws DecodeException {
    return untyped(clazz) ? TREE.fromString(str, clazz) : super.fromString(str, clazz);
  }

  @Override
  public <T> T fromBuffer(Buffer buf, Class<T> clazz) throws DecodeException {
    return untyped(clazz) ? TREE.fromBuffer(buf, clazz) : super.fromBuffer(buf, clazz);
  }

  /** Whether a decode asks for a plain tree (what {@code Json.decodeValue} and the {@code JsonObject} constructors ask for). */
  private static boolean untyped(Class<?> clazz) {
    return clazz == Object.class || clazz == Map.class || clazz == List.class;
  }
}
