package dev.ensemble.wire.gemini;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * OpenAI-format embeddings requests as the Gemini API's embedding methods take them, and their answers back.
 * One text goes to {@code :embedContent} as {@code {"content":{"parts":[{"text":...}]},"outputDimensionality":N}};
 * several go to {@code :batchEmbedContents} as {@code {"requests":[{"model":"models/...","content":...}, ...]}}.
 * {@code dimensions} becomes {@code outputDimensionality}; {@code user} has no Gemini counterpart and is dropped, and
 * no {@code taskType} is sent (OpenAI's format has nothing to derive one from).
 *
 * <p>Answers ({@code {"embedding":{"values":[...]}}}, {@code {"embeddings":[{"values":[...]}, ...]}}) become OpenAI
 * embedding objects in input order: float arrays, or with {@code encoding_format: base64} the little-endian float32
 * bytes in base64, as OpenAI sends them. The Gemini API reports no token counts for embeddings: a
 * {@code usageMetadata.promptTokenCount} is read if one is there, else the input is the request's own estimate
 * ({@link EmbeddingsRequest#estimatedTokens()}, four characters a token). Stateless.
 */
public final class GeminiEmbeddingsCodec {

  /** Whether {@code request} takes {@code :batchEmbedContents} (more than one text) rather than {@code :embedContent}. */
  public static boolean isBatch(EmbeddingsRequest request) {
    return request.input() instanceof JsonArray array && array.size() > 1;
  }

  /**
   * The request body for the model resource {@code models/...}; token-id input is a 400 naming {@code input}
   * and {@code upstream} (e.g. {@code "Gemini (provider type gemini)"}), since Gemini embeds text only.
   */
  public JsonObject encodeRequest(EmbeddingsRequest request, String modelResource, String upstream) {
    List<String> texts = texts(request, upstream);
    if (texts.size() == 1) {
      return embedRequest(texts.get(0), request.dimensions(), null);
    }
    JsonArray requests = new JsonArray();
    for (String text : texts) {
      requests.add(embedRequest(text, request.dimensions(), modelResource));
    }
    return new JsonObject().put("requests", requests);
  }

  /** The request's texts in order; token ids are refused. */
  public static List<String> texts(EmbeddingsRequest request, String upstream) {
    List<String> texts = request.texts();
    int inputs = request.input() instanceof JsonArray array ? array.size() : 1;
    if (texts.size() != inputs) {
      throw GatewayError.invalid("input", "is token ids, which " + upstream + " cannot embed: send the input as text");
    }
    return texts;
  }

  private static JsonObject embedRequest(String text, Integer dimensions, String modelResource) {
    JsonObject body = new JsonObject();
    if (modelResource != null) {
      body.put("model", modelResource);
    }
    body.put("content", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", text))));
    if (dimensions != null) {
      body.put("outputDimensionality", dimensions);
    }
    return body;
  }

  /** The answer to {@code request}; anything but one vector of numbers per input is a protocol error. */
  public EmbeddingsResponse decodeResponse(EmbeddingsRequest request, JsonObject body) {
    JsonArray vectors = new JsonArray();
    if (isBatch(request)) {
      JsonArray embeddings = UpstreamJson.array(body, "embeddings");
      if (embeddings == null) {
        throw new UpstreamProtocolException("Gemini batchEmbedContents answer has no 'embeddings' array");
      }
      for (int i = 0; i < embeddings.size(); i++) {
        vectors.add(values(UpstreamJson.objectAt(embeddings, i, "embedding"), "embeddings[" + i + "]"));
      }
    } else {
      JsonObject embedding = UpstreamJson.object(body, "embedding");
      if (embedding == null) {
        throw new UpstreamProtocolException("Gemini embedContent answer has no 'embedding' object");
      }
      vectors.add(values(embedding, "embedding"));
    }
    int inputs = request.input() instanceof JsonArray array ? array.size() : 1;
    if (vectors.size() != inputs) {
      throw new UpstreamProtocolException("Gemini returned " + vectors.size() + " embeddings for " + inputs + " inputs");
    }
    return new EmbeddingsResponse(data(vectors, "base64".equals(request.encodingFormat())), new Usage(inputTokens(body, request), null, null, null));
  }

  /**
   * OpenAI embedding objects for {@code vectors} (arrays of numbers), in order: floats, or base64 when asked.
   * Shared with Vertex AI, whose {@code :predict} vectors are the same numbers.
   */
  public static JsonArray data(JsonArray vectors, boolean base64) {
    JsonArray data = new JsonArray();
    for (int i = 0; i < vectors.size(); i++) {
      JsonArray vector = vectors.getJsonArray(i);
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", base64 ? base64(vector) : vector));
    }
    return data;
  }

  /** The {@code values} of one {@code ContentEmbedding}, checked to be numbers. */
  public static JsonArray values(JsonObject embedding, String what) {
    JsonArray values = UpstreamJson.array(embedding, "values");
    if (values == null) {
      throw new UpstreamProtocolException("Gemini " + what + " has no 'values' array");
    }
    for (int j = 0; j < values.size(); j++) {
      if (!(values.getValue(j) instanceof Number)) {
        throw new UpstreamProtocolException("Gemini " + what + ".values[" + j + "] is not a number");
      }
    }
    return values;
  }

  private static Long inputTokens(JsonObject body, EmbeddingsRequest request) {
    JsonObject usage = UpstreamJson.object(body, "usageMetadata");
    Long reported = usage == null ? null : UpstreamJson.number(usage, "promptTokenCount");
    return reported != null ? reported : Long.valueOf(request.estimatedTokens());
  }

  private static String base64(JsonArray vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.size() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (int j = 0; j < vector.size(); j++) {
      bytes.putFloat(((Number) vector.getValue(j)).floatValue());
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
