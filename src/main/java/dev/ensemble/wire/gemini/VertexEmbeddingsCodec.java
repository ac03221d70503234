package dev.ensemble.wire.gemini;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OpenAI-format embeddings requests as Vertex AI's text embedding models take them on {@code :predict}:
 * {@code {"instances":[{"content":"..."}, ...],"parameters":{"outputDimensionality":N}}}, one instance per text (the
 * {@code parameters} only with {@code dimensions}). Answers ({@code {"predictions":[{"embeddings":{"values":[...],
 * "statistics":{"token_count":N}}}]}}) become OpenAI embedding objects in input order, floats or base64 as for the
 * Gemini API ({@link GeminiEmbeddingsCodec#data}); the input tokens are the sum of the predictions' {@code token_count}s,
 * or the request's estimate when one is missing. Stateless.
 *
 * <p>Vertex takes up to 250 instances a request, {@code gemini-embedding-001} only one: several texts for it are
 * Vertex's own 400, passed on to the client.
 */
public final class VertexEmbeddingsCodec {

  /** The request body; token-id input is a 400 naming {@code input} and {@code upstream}. */
  public JsonObject encodeRequest(EmbeddingsRequest request, String upstream) {
    JsonArray instances = new JsonArray();
    for (String text : GeminiEmbeddingsCodec.texts(request, upstream)) {
      instances.add(new JsonObject().put("content", text));
    }
    JsonObject body = new JsonObject().put("instances", instances);
    if (request.dimensions() != null) {
      body.put("parameters", new JsonObject().put("outputDimensionality", request.dimensions()));
    }
    return body;
  }

  /** The answer to {@code request}; anything but one vector of numbers per input is a protocol error. */
  public EmbeddingsResponse decodeResponse(EmbeddingsRequest request, JsonObject body) {
    JsonArray predictions = UpstreamJson.array(body, "predictions");
    if (predictions == null) {
      throw new UpstreamProtocolException("Vertex predict answer has no 'predictions' array");
    }
    int inputs = request.input() instanceof JsonArray array ? array.size() : 1;
    if (predictions.size() != inputs) {
      throw new UpstreamProtocolException("Vertex returned " + predictions.size() + " embeddings for " + inputs + " inputs");
    }
    JsonArray vectors = new JsonArray();
    long tokens = 0;
    boolean counted = true;
    for (int i = 0; i < predictions.size(); i++) {
      JsonObject embeddings = UpstreamJson.object(UpstreamJson.objectAt(predictions, i, "prediction"), "embeddings");
      if (embeddings == null) {
        throw new UpstreamProtocolException("Vertex predictions[" + i + "] has no 'embeddings' object");
      }
      vectors.add(GeminiEmbeddingsCodec.values(embeddings, "predictions[" + i + "].embeddings"));
      JsonObject statistics = UpstreamJson.object(embeddings, "statistics");
      Long count = statistics == null ? null : UpstreamJson.number(statistics, "token_count");
      if (count == null) {
        counted = false;
      } else {
        tokens += count;
      }
    }
    Long input = counted ? tokens : Long.valueOf(request.estimatedTokens());
    return new EmbeddingsResponse(GeminiEmbeddingsCodec.data(vectors, "base64".equals(request.encodingFormat())),
        new Usage(input, null, null, null));
  }
}
