package dev.ensemble.wire.openai;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The OpenAI embeddings format ({@code POST /v1/embeddings}) on both sides of the gateway: client requests in,
 * upstream requests out, upstream responses in, client responses out. Stateless.
 */
public final class OpenAiEmbeddingsCodec {

  private static final Set<String> ENCODINGS = Set.of("float", "base64");

  /** A client's request body, validated; a bad field is a 400 naming it. */
  public EmbeddingsRequest decodeRequest(JsonObject body) {
    String model = JsonFields.requireNonEmptyString(body, "model", null);
    Object input = body.getValue("input");
    if (input == null) {
      throw GatewayError.invalid("input", "is required: a string or an array of strings (or of token ids)");
    }
    validateInput(input);
    String encoding = JsonFields.optString(body, "encoding_format", null);
    if (encoding != null && !ENCODINGS.contains(encoding)) {
      throw GatewayError.invalid("encoding_format", "must be 'float' or 'base64', got '" + encoding + "'");
    }
    Integer dimensions = JsonFields.optInteger(body, "dimensions", null);
    if (dimensions != null && dimensions < 1) {
      throw GatewayError.invalid("dimensions", "must be at least 1");
    }
    return new EmbeddingsRequest(model, input instanceof JsonArray a ? a.copy() : input, encoding, dimensions,
        JsonFields.optString(body, "user", null));
  }

  private static void validateInput(Object input) {
    if (input instanceof String s) {
      if (s.isEmpty()) {
        throw GatewayError.invalid("input", "must not be an empty string");
      }
      return;
    }
    if (!(input instanceof JsonArray array)) {
      throw GatewayError.invalid("input", "must be a string or an array of strings (or of token ids)");
    }
    if (array.isEmpty()) {
      throw GatewayError.invalid("input", "must not be an empty array");
    }
    Object first = array.getValue(0);
    for (int i = 0; i < array.size(); i++) {
      Object item = array.getValue(i);
      String at = "input[" + i + "]";
      if (first instanceof String) {
        if (!(item instanceof String s) || s.isEmpty()) {
          throw GatewayError.invalid(at, "must be a non-empty string like the other items");
        }
      } else if (first instanceof Number) {
        if (!isTokenId(item)) {
          throw GatewayError.invalid(at, "must be a token id (a non-negative integer) like the other items");
        }
      } else if (first instanceof JsonArray) {
        if (!(item instanceof JsonArray ids) || ids.isEmpty() || !ids.stream().allMatch(OpenAiEmbeddingsCodec::isTokenId)) {
          throw GatewayError.invalid(at, "must be a non-empty array of token ids like the other items");
        }
      } else {
        throw GatewayError.invalid(at, "must be a string, a token id or an array of token ids");
      }
    }
  }

  private static boolean isTokenId(Object value) {
    return (value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 0;
  }

  /** The upstream request body, naming the provider's model id. */
  public JsonObject encodeRequest(EmbeddingsRequest request, String upstreamModel) {
    JsonObject body = new JsonObject().put("model", upstreamModel).put("input", request.input());
    if (request.encodingFormat() != null) {
      body.put("encoding_format", request.encodingFormat());
    }
    if (request.dimensions() != null) {
      body.put("dimensions", request.dimensions());
    }
    if (request.user() != null) {
      body.put("user", request.user());
    }
    return body;
  }

  /** An upstream's response body; anything else than a list of embeddings is a protocol error. */
  public EmbeddingsResponse decodeResponse(JsonObject body) {
    if (!(body.getValue("data") instanceof JsonArray data)) {
      throw new UpstreamProtocolException("embeddings response has no 'data' array");
    }
    JsonArray out = new JsonArray();
    for (int i = 0; i < data.size(); i++) {
      if (!(data.getValue(i) instanceof JsonObject item)) {
        throw new UpstreamProtocolException("embeddings response data[" + i + "] is not an object");
      }
      Object vector = item.getValue("embedding");
      if (!(vector instanceof JsonArray) && !(vector instanceof String)) {
        throw new UpstreamProtocolException("embeddings response data[" + i + "].embedding is neither an array nor base64 text");
      }
      Object index = item.getValue("index");
      out.add(new JsonObject().put("object", "embedding").put("index", index instanceof Number n ? n.intValue() : i).put("embedding", vector));
    }
    Long prompt = null;
    if (body.getValue("usage") instanceof JsonObject usage && usage.getValue("prompt_tokens") instanceof Number n) {
      prompt = n.longValue();
    }
    return new EmbeddingsResponse(out, new Usage(prompt, null, null, null));
  }

  /** The client's response: the embeddings under the model name the client asked for. */
  public JsonObject encodeResponse(EmbeddingsResponse response, String model) {
    long prompt = Usage.orZero(response.usage().input());
    return new JsonObject().put("object", "list").put("data", response.data()).put("model", model)
        .put("usage", new JsonObject().put("prompt_tokens", prompt).put("total_tokens", prompt));
  }
}
