package dev.ensemble.providers.mock;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The mock's answer to an OpenAI {@code POST /embeddings} body: one unit-length vector per input (a string, an
 * array of strings, token ids, or arrays of token ids), in input order. A vector is the input's character
 * trigrams and the whole input hashed into {@code dimensions} signed buckets (256 when the request names none),
 * so identical input always gets the identical vector, different inputs different ones, and texts sharing words
 * land close together. {@code encoding_format: base64}
 * gives the little-endian float32 bytes in base64, as OpenAI does. Usage counts one token per four characters
 * (one per token id). Stateless.
 */
final class MockEmbeddings {

  static final int DEFAULT_DIMENSIONS = 256;
  /** The most dimensions a request may ask for (text-embedding-3-large's size). */
  static final int MAX_DIMENSIONS = 3072;

  private MockEmbeddings() {
  }

  static MockReply answer(JsonObject request) {
    Object dimensionsValue = request.getValue("dimensions");
    int dimensions = DEFAULT_DIMENSIONS;
    if (dimensionsValue != null) {
      if (!(dimensionsValue instanceof Integer d) || d < 1 || d > MAX_DIMENSIONS) {
        return MockReply.error(400, "invalid_request_error", "dimensions must be an integer from 1 to " + MAX_DIMENSIONS);
      }
      dimensions = d;
    }
    boolean base64 = "base64".equals(request.getString("encoding_format"));
    List<String> texts = texts(request.getValue("input"));
    if (texts == null) {
      return MockReply.error(400, "invalid_request_error", "input must be a string or an array of strings (or of token ids)");
    }
    JsonArray data = new JsonArray();
    long tokens = 0;
    for (int i = 0; i < texts.size(); i++) {
      float[] vector = vector(texts.get(i), dimensions);
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", base64 ? base64(vector) : floats(vector)));
      tokens += tokens(request.getValue("input"), i, texts.get(i));
    }
    return MockReply.ok(new JsonObject().put("object", "list").put("data", data).put("model", request.getString("model", "mock"))
        .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)));
  }

  /** Each input as text (token ids as their decimal numbers, space-separated), or null when the input has no such shape. */
  private static List<String> texts(Object input) {
    List<String> texts = new ArrayList<>();
    if (input instanceof String s) {
      texts.add(s);
      return texts;
    }
    if (!(input instanceof JsonArray array) || array.isEmpty()) {
      return null;
    }
    if (array.getValue(0) instanceof Number) {
      texts.add(ids(array));
      return texts;
    }
    for (Object item : array) {
      if (item instanceof String s) {
        texts.add(s);
      } else if (item instanceof JsonArray ids) {
        texts.add(ids(ids));
      } else {
        return null;
      }
    }
    return texts;
  }

  private static String ids(JsonArray ids) {
    StringBuilder sb = new StringBuilder();
    for (Object id : ids) {
      sb.append(sb.isEmpty() ? "" : " ").append(id);
    }
    return sb.toString();
  }

  /** Tokens of input {@code i}: one per token id, else one per four characters (at least one). */
  private static long tokens(Object input, int i, String text) {
    if (input instanceof JsonArray array && array.getValue(0) instanceof Number) {
      return array.size();
    }
    if (input instanceof JsonArray array && array.getValue(i) instanceof JsonArray ids) {
      return ids.size();
    }
    return Math.max(1, (text.length() + 3) / 4);
  }

  /**
   * The text's trigrams (of the text padded with a space each side) and the whole text, each hashed into a signed
   * bucket, scaled to unit length.
   */
  static float[] vector(String text, int dimensions) {
    String padded = " " + text + " ";
    double[] sums = new double[dimensions];
    for (int i = 0; i + 3 <= padded.length(); i++) {
      add(sums, padded.substring(i, i + 3).hashCode());
    }
    add(sums, text.hashCode() * 31L + text.length());
    double norm = 0;
    for (double s : sums) {
      norm += s * s;
    }
    float[] vector = new float[dimensions];
    if (norm == 0) {
      vector[0] = 1;
      return vector;
    }
    double length = Math.sqrt(norm);
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (sums[i] / length);
    }
    return vector;
  }

  private static void add(double[] sums, long feature) {
    long h = mix(feature);
    sums[(int) Long.remainderUnsigned(h, sums.length)] += h < 0 ? -1 : 1;
  }

  /** A 64-bit finaliser (SplitMix64's) so neighbouring hash codes spread over all buckets and signs. */
  private static long mix(long x) {
    x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
    x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
    return x ^ (x >>> 31);
  }

  private static JsonArray floats(float[] vector) {
    JsonArray out = new JsonArray();
    for (float v : vector) {
      out.add(v);
    }
    return out;
  }

  private static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      bytes.putFloat(v);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
