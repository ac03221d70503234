package dev.ensemble.wire.openai;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ImagesRequest;
import dev.ensemble.model.ImagesResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The OpenAI images format ({@code POST /v1/images/generations}) on both sides of the gateway. {@code size},
 * {@code quality} and {@code style} are checked against what the model takes ({@link ImageOptions}). Parameters the
 * gateway does not interpret ({@code style}, {@code background}, {@code output_format}, {@code moderation},
 * {@code user}, ...) pass through untouched. Streaming ({@code stream: true}) is refused. Stateless.
 */
public final class OpenAiImagesCodec {

  /** Most images one request may ask for (OpenAI's limit). */
  public static final int MAX_IMAGES = 10;

  private static final Set<String> MODELLED = Set.of("model", "prompt", "n", "size", "quality", "response_format", "stream");
  private static final Set<String> RESPONSE_FORMATS = Set.of("url", "b64_json");

  /** A client's request body, validated; a bad field is a 400 naming it. */
  public ImagesRequest decodeRequest(JsonObject body) {
    String model = JsonFields.requireNonEmptyString(body, "model", null);
    String prompt = JsonFields.requireNonEmptyString(body, "prompt", null);
    Integer n = JsonFields.optInteger(body, "n", null);
    if (n != null && (n < 1 || n > MAX_IMAGES)) {
      throw GatewayError.invalid("n", "must be between 1 and " + MAX_IMAGES + ", got " + n);
    }
    String format = JsonFields.optString(body, "response_format", null);
    if (format != null && !RESPONSE_FORMATS.contains(format)) {
      throw GatewayError.invalid("response_format", "must be 'url' or 'b64_json', got '" + format + "'");
    }
    if (Boolean.TRUE.equals(JsonFields.optBoolean(body, "stream", null))) {
      throw GatewayError.invalid("stream", "streamed image generation is not supported by this gateway");
    }
    ImageOptions.check(model, JsonFields.optString(body, "size", null), JsonFields.optString(body, "quality", null), body.getValue("style"));
    JsonObject options = new JsonObject();
    body.forEach(e -> {
      if (!MODELLED.contains(e.getKey()) && e.getValue() != null) {
        options.put(e.getKey(), e.getValue());
      }
    });
    return new ImagesRequest(model, prompt, n == null ? 1 : n, JsonFields.optString(body, "size", null),
        JsonFields.optString(body, "quality", null), format, options);
  }

  /** The upstream request body, naming the provider's model id. */
  public JsonObject encodeRequest(ImagesRequest request, String upstreamModel) {
    JsonObject body = new JsonObject().put("model", upstreamModel).put("prompt", request.prompt()).put("n", request.n());
    if (request.size() != null) {
      body.put("size", request.size());
    }
    if (request.quality() != null) {
      body.put("quality", request.quality());
    }
    if (request.responseFormat() != null) {
      body.put("response_format", request.responseFormat());
    }
    request.options().forEach(e -> body.put(e.getKey(), e.getValue()));
    return body;
  }

  /** An upstream's response body; anything else than a list of images is a protocol error. */
  public ImagesResponse decodeResponse(JsonObject body) {
    if (!(body.getValue("data") instanceof JsonArray data)) {
      throw new UpstreamProtocolException("images response has no 'data' array");
    }
    for (int i = 0; i < data.size(); i++) {
      if (!(data.getValue(i) instanceof JsonObject item) || !(item.getValue("url") instanceof String || item.getValue("b64_json") instanceof String)) {
        throw new UpstreamProtocolException("images response data[" + i + "] has neither 'url' nor 'b64_json'");
      }
    }
    long created = body.getValue("created") instanceof Number n ? n.longValue() : 0;
    Usage usage = Usage.UNKNOWN;
    if (body.getValue("usage") instanceof JsonObject u) {
      usage = new Usage(number(u, "input_tokens"), number(u, "output_tokens"), null, null);
    }
    JsonObject extra = new JsonObject();
    body.forEach(e -> {
      if (!e.getKey().equals("created") && !e.getKey().equals("data")) {
        extra.put(e.getKey(), e.getValue());
      }
    });
    return new ImagesResponse(created, data.copy(), usage, extra);
  }

  /** The client's response: the images, {@code created} as the gateway saw the request, and the upstream's other fields. */
  public JsonObject encodeResponse(ImagesResponse response, long created) {
    JsonObject body = new JsonObject().put("created", created).put("data", response.data());
    response.extra().forEach(e -> body.put(e.getKey(), e.getValue()));
    return body;
  }

  private static Long number(JsonObject o, String field) {
    return o.getValue(field) instanceof Number n ? n.longValue() : null;
  }
}
