package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /v1beta/models/{model}:embedContent} and {@code :batchEmbedContents} of the {@link FakeGemini}, as the
 * Gemini API answers them, written from Google's public REST reference independently of Ensemble's wire code.
 *
 * <p><b>Validation</b> before any script is consumed: the key as on the chat route (none: 403
 * {@code PERMISSION_DENIED}; unknown: 400 {@code INVALID_ARGUMENT} with ErrorInfo reason {@code API_KEY_INVALID});
 * then 400 {@code INVALID_ARGUMENT} for a body that is not JSON, an unknown field, a missing {@code content} or one
 * without parts, a part without exactly one datum, no text to embed, an unknown {@code taskType}, a {@code title}
 * without {@code RETRIEVAL_DOCUMENT}, an {@code outputDimensionality} outside 1..{@value #MAX_DIMENSIONS}, and for a
 * batch no {@code requests}, more than {@value #MAX_BATCH} of them, or one naming another model than the path.
 *
 * <p><b>Answers.</b> {@code {"embedding":{"values":[...]}}} or {@code {"embeddings":[{"values":[...]}, ...]}}: per
 * request a vector of {@code outputDimensionality} values (default {@value #DEFAULT_DIMENSIONS}, a stand-in for the
 * real models' 3072) derived from the concatenated text parts alone ({@link #vector}). No token counts, as the Gemini
 * API reports none for embeddings. Scripted ERROR and RAW replies render as on the chat route; HANG never answers.
 */
final class GeminiEmbeddingsRoute {

  static final Pattern PATH = Pattern.compile("/v1beta/((?:models|tunedModels)/[^/:]+):(embedContent|batchEmbedContents)");
  static final int DEFAULT_DIMENSIONS = 8;
  static final int MAX_DIMENSIONS = 3072;
  static final int MAX_BATCH = 100;

  private static final Set<String> REQUEST_FIELDS = Set.of("model", "content", "taskType", "title", "outputDimensionality");
  private static final Set<String> PART_FIELDS = Set.of("text", "inlineData", "fileData");
  private static final Set<String> TASK_TYPES = Set.of("TASK_TYPE_UNSPECIFIED", "RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT",
      "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY");

  /** What to play: the rendered answer and the reply whose timing (latency, cuts) applies. */
  record Answer(Rendered rendered, Reply timing) {}

  private final UpstreamState state;
  private final GeminiRoute chat;

  GeminiEmbeddingsRoute(UpstreamState state, GeminiRoute chat) {
    this.state = state;
    this.chat = chat;
  }

  /** The answer to a call whose path {@link #PATH} matched; null for a HANG reply. */
  Answer answer(Matcher path, RecordedRequest request, String queryKey, Supplier<GeminiReply> script) {
    String resource = path.group(1);
    boolean batch = path.group(2).equals("batchEmbedContents");
    String key = request.header("x-goog-api-key");
    if (key == null || key.isEmpty()) {
      key = queryKey;
    }
    if (key == null || key.isEmpty()) {
      return rejected(GeminiRoute.error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without "
          + "established identity). Please use API Key or other form of API consumer identity to call this API.", new JsonArray()));
    }
    if (!state.accepts(key)) {
      return rejected(GeminiRoute.error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
          new JsonArray().add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo").put("reason", "API_KEY_INVALID")
              .put("domain", "googleapis.com").put("metadata", new JsonObject().put("service", "generativelanguage.googleapis.com")))));
    }
    JsonObject body;
    try {
      body = request.json();
    } catch (RuntimeException e) {
      return invalid("Invalid JSON payload received. Unexpected token.");
    }
    String problem = batch ? validateBatch(body, resource) : validateRequest(body, "EmbedContentRequest", "");
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
    Rendered rendered = reply.reply.kind == Reply.Kind.CONTENT
        ? Rendered.json(200, headers(), batch ? batchAnswer(body) : new JsonObject().put("embedding", embedding(body)))
        : chat.render(new GeminiRoute.Call(resource.substring(resource.indexOf('/') + 1), false, false),
            new GeminiRoute.Admission(null, body, key), reply);
    reply.reply.headers.forEach(header -> rendered.headers().set(header.getKey(), header.getValue()));
    return new Answer(rendered, reply.reply);
  }

  private static String validateBatch(JsonObject body, String resource) {
    for (String field : body.fieldNames()) {
      if (!field.equals("requests")) {
        return "Invalid JSON payload received. Unknown name \"" + field + "\": Cannot find field.";
      }
    }
    if (!(body.getValue("requests") instanceof JsonArray requests) || requests.isEmpty()) {
      return "* BatchEmbedContentsRequest.requests: requests is not specified\n";
    }
    if (requests.size() > MAX_BATCH) {
      return "* BatchEmbedContentsRequest.requests: at most " + MAX_BATCH + " requests can be in one batch\n";
    }
    for (int i = 0; i < requests.size(); i++) {
      if (!(requests.getValue(i) instanceof JsonObject request)) {
        return "Invalid JSON payload received. Expected an object at 'requests[" + i + "]'.";
      }
      if (!(request.getValue("model") instanceof String model) || model.isEmpty()) {
        return "* BatchEmbedContentsRequest.requests[" + i + "].model: model is required\n";
      }
      if (!model.equals(resource)) {
        return "Model mismatch: requests[" + i + "].model is \"" + model + "\" but the batch is for \"" + resource + "\".";
      }
      String problem = validateRequest(request, "BatchEmbedContentsRequest.requests[" + i + "]", "requests[" + i + "].");
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static String validateRequest(JsonObject body, String message, String at) {
    for (String field : body.fieldNames()) {
      if (!REQUEST_FIELDS.contains(field)) {
        return "Invalid JSON payload received. Unknown name \"" + field + "\"" + (at.isEmpty() ? "" : " at '" + at.substring(0, at.length() - 1) + "'")
            + ": Cannot find field.";
      }
    }
    if (!(body.getValue("content") instanceof JsonObject content)) {
      return "* " + message + ".content: content is not specified\n";
    }
    if (!(content.getValue("parts") instanceof JsonArray parts) || parts.isEmpty()) {
      return "* " + message + ".content.parts: contents.parts must not be empty.\n";
    }
    boolean text = false;
    for (int j = 0; j < parts.size(); j++) {
      if (!(parts.getValue(j) instanceof JsonObject part) || part.size() != 1 || !PART_FIELDS.contains(part.fieldNames().iterator().next())) {
        return "* " + message + ".content.parts[" + j + "].data: required oneof field 'data' must have one initialized field\n";
      }
      if (part.getValue("text") instanceof String s && !s.isEmpty()) {
        text = true;
      }
    }
    if (!text) {
      return "* " + message + ".content: the content has no text to embed\n";
    }
    Object task = body.getValue("taskType");
    if (task != null && !(task instanceof String t && TASK_TYPES.contains(t))) {
      return "Invalid value at '" + at + "task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), \"" + task + "\"";
    }
    if (body.getValue("title") != null && !"RETRIEVAL_DOCUMENT".equals(task)) {
      return "Title is only applicable when task_type is RETRIEVAL_DOCUMENT.";
    }
    Object dimensions = body.getValue("outputDimensionality");
    if (dimensions != null && !(dimensions instanceof Integer n && n >= 1 && n <= MAX_DIMENSIONS)) {
      return "* " + message + ".output_dimensionality: must be between 1 and " + MAX_DIMENSIONS + "\n";
    }
    return null;
  }

  private static JsonObject batchAnswer(JsonObject body) {
    JsonArray embeddings = new JsonArray();
    for (Object request : body.getJsonArray("requests")) {
      embeddings.add(embedding((JsonObject) request));
    }
    return new JsonObject().put("embeddings", embeddings);
  }

  private static JsonObject embedding(JsonObject request) {
    StringBuilder text = new StringBuilder();
    for (Object part : request.getJsonObject("content").getJsonArray("parts")) {
      if (((JsonObject) part).getValue("text") instanceof String s) {
        text.append(s);
      }
    }
    JsonArray values = new JsonArray();
    for (float v : vector(text.toString(), request.getInteger("outputDimensionality", DEFAULT_DIMENSIONS))) {
      values.add((double) v);
    }
    return new JsonObject().put("values", values);
  }

  /** The vector of one text: a function of the text and the dimension count only (the OpenAI fake's, too). */
  static float[] vector(String text, int dimensions) {
    return OpenAiEmbeddingsRoute.vector(text, dimensions);
  }

  private static Answer rejected(Rendered rendered) {
    return new Answer(rendered, Reply.text(""));
  }

  private static Answer invalid(String message) {
    return rejected(GeminiRoute.error(400, "INVALID_ARGUMENT", message, new JsonArray()));
  }

  private static MultiMap headers() {
    return MultiMap.caseInsensitiveMultiMap()
        .set("vary", "Origin, X-Origin, Referer")
        .set("server", "scaffolding on HTTPServer2")
        .set("x-content-type-options", "nosniff");
  }
}
