package dev.ensemble.testing.fake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * {@code POST /v1/embeddings}, as OpenAI's Embeddings API answers it: for each input a deterministic vector of
 * {@code dimensions} (default {@value #DEFAULT_DIMENSIONS}) values derived from the input alone, as floats or, with
 * {@code encoding_format: base64}, little-endian float32 bytes in base64. {@code usage.prompt_tokens} (=
 * {@code total_tokens}) is {@code ceil(chars / 4)} per text input (at least 1) and one per token id, unless a
 * scripted {@link Reply#usage} sets it (its input + cache read + cache write). ERROR and RAW replies render as on
 * the chat route.
 */
final class OpenAiEmbeddingsRoute implements Route {

  static final int DEFAULT_DIMENSIONS = 8;

  private final OpenAiRoute openAi;

  OpenAiEmbeddingsRoute(OpenAiRoute openAi) {
    this.openAi = openAi;
  }

  @Override
  public Admission admit(RecordedRequest request) {
    Admission caller = openAi.authenticate(request);
    if (caller.rejection() != null) {
      return caller;
    }
    JsonObject body = OpenAiRoute.parse(request);
    if (body == null) {
      return openAi.unparsable();
    }
    if (!(body.getValue("model") instanceof String) || body.getString("model").isEmpty()) {
      return openAi.reject(400, OpenAiRoute.invalid("you must provide a model parameter", null, null));
    }
    Object input = body.getValue("input");
    if (input == null) {
      return openAi.reject(400, OpenAiRoute.invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter"));
    }
    if (!(input instanceof String) && !(input instanceof JsonArray) || input instanceof JsonArray a && a.isEmpty()) {
      return openAi.reject(400, OpenAiRoute.invalid("'$.input' is invalid. Please check the API reference: "
          + "https://platform.openai.com/docs/api-reference.", "input", null));
    }
    Object dimensions = body.getValue("dimensions");
    if (dimensions != null && (!(dimensions instanceof Integer) || (Integer) dimensions < 1)) {
      return openAi.reject(400, OpenAiRoute.invalid("Invalid 'dimensions': must be a positive integer.", "dimensions", "invalid_value"));
    }
    return Admission.accepted(body, caller.apiKey());
  }

  @Override
  public Reply defaultReply(JsonObject body) {
    return Reply.text("");
  }

  @Override
  public Rendered render(Admission admitted, Reply reply) {
    if (reply.kind != Reply.Kind.CONTENT) {
      return openAi.render(admitted, reply);
    }
    JsonObject body = admitted.body();
    Object input = body.getValue("input");
    JsonArray inputs = input instanceof JsonArray a ? a : new JsonArray().add(input);
    int dimensions = body.getInteger("dimensions", DEFAULT_DIMENSIONS);
    boolean base64 = "base64".equals(body.getString("encoding_format"));
    JsonArray data = new JsonArray();
    int tokens = 0;
    for (int i = 0; i < inputs.size(); i++) {
      Object item = inputs.getValue(i);
      tokens += item instanceof String s ? Tokens.atLeastOne(s.length()) : item instanceof JsonArray ids ? ids.size() : 1;
      float[] vector = vector(String.valueOf(item), dimensions);
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", base64 ? base64(vector) : floats(vector)));
    }
    if (reply.usage != null) {
      tokens = reply.usage.input() + reply.usage.cacheRead() + reply.usage.cacheWrite();
    }
    String model = reply.model != null ? reply.model : body.getString("model");
    return Rendered.json(200, openAi.headers(admitted.apiKey(), tokens), new JsonObject().put("object", "list").put("data", data)
        .put("model", model).put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens)));
  }

  /** The vector of one input: a function of its text and the dimension count only. */
  static float[] vector(String text, int dimensions) {
    float[] out = new float[dimensions];
    int seed = text.hashCode();
    for (int j = 0; j < dimensions; j++) {
      out[j] = (float) Math.sin(seed * 0.001 + j);
    }
    return out;
  }

  private static JsonArray floats(float[] vector) {
    JsonArray out = new JsonArray();
    for (float v : vector) {
      out.add((double) v);
    }
    return out;
  }

  private static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : vector) {
      bytes.putFloat(v);
    }
    return Base64.getEncoder().encodeToString(bytes.array());
  }
}
