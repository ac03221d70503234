package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code POST .../publishers/google/models/{model}:predict} of the {@link FakeVertex} for text embedding models, as
 * Vertex AI answers it, written from Google's public REST reference independently of Ensemble's wire code. The
 * caller has checked the OAuth token.
 *
 * <p><b>Validation</b> before any script is consumed, 400 {@code INVALID_ARGUMENT} in Google's format: a body that is
 * not JSON or has fields other than {@code instances} and {@code parameters}; no instances, more than
 * {@value #MAX_INSTANCES}, or more than one for a {@code gemini-embedding-*} model (which takes one per request);
 * an instance without a non-empty {@code content} or with unknown fields; unknown {@code parameters} or an
 * {@code outputDimensionality} outside 1..{@value GeminiEmbeddingsRoute#MAX_DIMENSIONS}.
 *
 * <p><b>Answers.</b> {@code {"predictions":[{"embeddings":{"statistics":{"truncated":false,"token_count":N},
 * "values":[...]}}],"metadata":{"billableCharacterCount":C}}}: the {@link GeminiEmbeddingsRoute#vector} of each content
 * ({@code outputDimensionality} values, default {@value GeminiEmbeddingsRoute#DEFAULT_DIMENSIONS}), {@code token_count}
 * {@code ceil(chars / 4)} (at least 1). Scripted ERROR and RAW replies render as on the Gemini chat route; HANG never
 * answers.
 */
final class VertexPredictRoute {

  static final int MAX_INSTANCES = 250;

  private static final Set<String> INSTANCE_FIELDS = Set.of("content", "task_type", "title");
  private static final Set<String> PARAMETER_FIELDS = Set.of("outputDimensionality", "autoTruncate");

  private final GeminiRoute google;

  VertexPredictRoute(GeminiRoute google) {
    this.google = google;
  }

  /** The answer for {@code model}; null for a HANG reply. */
  GeminiEmbeddingsRoute.Answer answer(String model, RecordedRequest request, String token, Supplier<GeminiReply> script) {
    JsonObject body;
    try {
      body = request.json();
    } catch (RuntimeException e) {
      return invalid("Invalid JSON payload received. Unexpected token.");
    }
    String problem = validate(body, model);
    if (problem != null) {
      return invalid(problem);
    }
    GeminiReply reply = script.get();
    if (reply == null) {
      reply = GeminiReply.of(Reply.text(""));
    }
    if (reply.reply.kind == Reply.Kind.HANG) {
      return null;
    }
    Rendered rendered = reply.reply.kind == Reply.Kind.CONTENT ? Rendered.json(200, MultiMap.caseInsensitiveMultiMap(), predictions(body))
        : google.render(new GeminiRoute.Call(model, false, false), new GeminiRoute.Admission(null, body, token), reply);
    reply.reply.headers.forEach(header -> rendered.headers().set(header.getKey(), header.getValue()));
    return new GeminiEmbeddingsRoute.Answer(rendered, reply.reply);
  }

  private static String validate(JsonObject body, String model) {
    for (String field : body.fieldNames()) {
      if (!field.equals("instances") && !field.equals("parameters")) {
        return "Invalid JSON payload received. Unknown name \"" + field + "\": Cannot find field.";
      }
    }
    if (!(body.getValue("instances") instanceof JsonArray instances) || instances.isEmpty()) {
      return "Invalid request: the request must contain at least one instance.";
    }
    if (instances.size() > MAX_INSTANCES) {
      return "Invalid request: at most " + MAX_INSTANCES + " instances are allowed per request, got " + instances.size() + ".";
    }
    if (model.startsWith("gemini-embedding") && instances.size() > 1) {
      return "Unable to submit request because " + model + " supports only 1 instance per request, got " + instances.size() + ".";
    }
    for (int i = 0; i < instances.size(); i++) {
      if (!(instances.getValue(i) instanceof JsonObject instance)) {
        return "Invalid request: instances[" + i + "] must be an object.";
      }
      for (String field : instance.fieldNames()) {
        if (!INSTANCE_FIELDS.contains(field)) {
          return "Invalid request: unknown field \"" + field + "\" in instances[" + i + "].";
        }
      }
      if (!(instance.getValue("content") instanceof String content) || content.isEmpty()) {
        return "Invalid request: instances[" + i + "].content must be a non-empty string.";
      }
    }
    Object parameters = body.getValue("parameters");
    if (parameters != null) {
      if (!(parameters instanceof JsonObject p)) {
        return "Invalid request: parameters must be an object.";
      }
      for (String field : p.fieldNames()) {
        if (!PARAMETER_FIELDS.contains(field)) {
          return "Invalid request: unknown parameter \"" + field + "\".";
        }
      }
      Object dimensions = p.getValue("outputDimensionality");
      if (dimensions != null && !(dimensions instanceof Integer n && n >= 1 && n <= GeminiEmbeddingsRoute.MAX_DIMENSIONS)) {
        return "Invalid request: outputDimensionality must be between 1 and " + GeminiEmbeddingsRoute.MAX_DIMENSIONS + ".";
      }
    }
    return null;
  }

  private static JsonObject predictions(JsonObject body) {
    JsonObject parameters = body.getJsonObject("parameters", new JsonObject());
    int dimensions = parameters.getInteger("outputDimensionality", GeminiEmbeddingsRoute.DEFAULT_DIMENSIONS);
    JsonArray predictions = new JsonArray();
    int characters = 0;
    for (Object value : body.getJsonArray("instances")) {
      String content = ((JsonObject) value).getString("content");
      characters += content.length();
      JsonArray values = new JsonArray();
      for (float v : GeminiEmbeddingsRoute.vector(content, dimensions)) {
        values.add((double) v);
      }
      predictions.add(new JsonObject().put("embeddings", new JsonObject()
          .put("statistics", new JsonObject().put("truncated", false).put("token_count", Tokens.atLeastOne(content.length())))
          .put("values", values)));
    }
    return new JsonObject().put("predictions", predictions).put("metadata", new JsonObject().put("billableCharacterCount", characters));
  }

  private static GeminiEmbeddingsRoute.Answer invalid(String message) {
    return new GeminiEmbeddingsRoute.Answer(GeminiRoute.error(400, "INVALID_ARGUMENT", message, new JsonArray()), Reply.text(""));
  }
}
