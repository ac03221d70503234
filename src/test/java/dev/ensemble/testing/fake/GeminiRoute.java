package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent} ({@code ?alt=sse}:
 * SSE frames separated by CRLF CRLF; otherwise one JSON array), as the Gemini API answers them. Written from
 * Google's public REST reference, independently of Ensemble's wire code.
 */
final class GeminiRoute {

  static final String FAKE_SIGNATURE = "CikBcsjafFK168IbtVtoxVV0Tsn8O+eU45rzJahzwuKGmMbdMdfpmNpgBwpl";

  private static final Set<String> REQUEST_FIELDS = Set.of("contents", "tools", "toolConfig", "safetySettings",
      "systemInstruction", "generationConfig", "cachedContent");
  private static final Set<String> PART_DATA = Set.of("text", "inlineData", "fileData", "functionCall", "functionResponse",
      "executableCode", "codeExecutionResult");
  private static final Set<String> PART_FIELDS = Set.of("text", "inlineData", "fileData", "functionCall", "functionResponse",
      "executableCode", "codeExecutionResult", "thought", "thoughtSignature", "videoMetadata");
  private static final Set<String> SCHEMA_FIELDS = Set.of("type", "format", "title", "description", "nullable", "enum",
      "maxItems", "minItems", "properties", "required", "minProperties", "maxProperties", "minLength", "maxLength",
      "pattern", "example", "anyOf", "propertyOrdering", "default", "items", "minimum", "maximum");
  private static final Set<String> TYPES = Set.of("STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL");
  private static final Set<String> GENERATION_FIELDS = Set.of("stopSequences", "responseMimeType", "responseSchema",
      "responseJsonSchema", "responseModalities", "candidateCount", "maxOutputTokens", "temperature", "topP", "topK",
      "seed", "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs", "thinkingConfig", "mediaResolution");

  /** What was asked: the model and method from the path, and whether the answer streams as SSE. */
  record Call(String model, boolean stream, boolean sse) {}

  /** Either a rejection, or the parsed body and the caller's key. */
  record Admission(Rendered rejection, JsonObject body, String apiKey) {}

  private final UpstreamState state;

  GeminiRoute(UpstreamState state) {
    this.state = state;
  }

  Admission admit(RecordedRequest request, String queryKey) {
    Admission caller = caller(request, queryKey);
    if (caller.rejection() != null) {
      return caller;
    }
    JsonObject body;
    try {
      body = request.json();
    } catch (RuntimeException e) {
      return invalid("Invalid JSON payload received. Unexpected token.");
    }
    String problem = validate(body);
    return problem == null ? new Admission(null, body, caller.apiKey()) : invalid(problem);
  }

  /** The key checks: a rejection, or an admission of no body with the caller's key. */
  private Admission caller(RecordedRequest request, String queryKey) {
    String key = request.header("x-goog-api-key");
    if (key == null || key.isEmpty()) {
      key = queryKey;
    }
    if (key == null || key.isEmpty()) {
      return reject(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established "
          + "identity). Please use API Key or other form of API consumer identity to call this API.", new JsonArray());
    }
    if (!state.accepts(key)) {
      return reject(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", new JsonArray()
          .add(errorInfo("API_KEY_INVALID"))
          .add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.LocalizedMessage").put("locale", "en-US")
              .put("message", "API key not valid. Please pass a valid API key.")));
    }
    return new Admission(null, null, key);
  }

  /**
   * {@code models/{model}:countTokens} on the Gemini API: the caller checked as for generateContent, then a
   * {@code CountTokensRequest} of {@code contents} or a {@code generateContentRequest} (naming its {@code model}),
   * never both; the request it stands for is validated as a generateContent body. The admitted body is that request.
   */
  Admission admitCount(RecordedRequest request, String queryKey, String resource) {
    Admission caller = caller(request, queryKey);
    if (caller.rejection() != null) {
      return caller;
    }
    JsonObject body;
    try {
      body = request.json();
    } catch (RuntimeException e) {
      return invalid("Invalid JSON payload received. Unexpected token.");
    }
    for (String field : body.fieldNames()) {
      if (!field.equals("contents") && !field.equals("generateContentRequest")) {
        return invalid("Invalid JSON payload received. Unknown name \"" + field + "\": Cannot find field.");
      }
    }
    JsonObject generate;
    if (body.getValue("generateContentRequest") instanceof JsonObject inner) {
      if (body.containsKey("contents")) {
        return invalid("* CountTokensRequest: contents and generate_content_request are mutually exclusive.\n");
      }
      if (!resource.equals(inner.getValue("model"))) {
        return invalid("* CountTokensRequest.generate_content_request.model: model must be '" + resource + "'.\n");
      }
      generate = inner.copy();
      generate.remove("model");
    } else {
      generate = new JsonObject().put("contents", body.getValue("contents"));
    }
    String problem = validate(generate);
    return problem == null ? new Admission(null, generate, caller.apiKey()) : invalid(problem);
  }

  /** What the fake's countTokens answers for a generateContent body: its prompt tokens as generateContent counts them, uncached. */
  static int countedTokens(JsonObject generateContentBody) {
    return Tokens.atLeastOne(canonicalPrompt(generateContentBody).length());
  }

  /** The answer of an admitted count: {@code {totalTokens, promptTokensDetails}}; a queued ERROR or RAW reply instead. */
  Rendered renderCount(Admission admitted, GeminiReply scripted) {
    if (scripted != null && scripted.reply.kind() != Reply.Kind.CONTENT) {
      return render(new Call("count", false, false), admitted, scripted);
    }
    int total = countedTokens(admitted.body());
    return Rendered.json(200, headers(), new JsonObject().put("totalTokens", total)
        .put("promptTokensDetails", new JsonArray().add(new JsonObject().put("modality", "TEXT").put("tokenCount", total))));
  }

  static String validate(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!REQUEST_FIELDS.contains(field)) {
        return "Invalid JSON payload received. Unknown name \"" + field + "\": Cannot find field.";
      }
    }
    if (body.getValue("systemInstruction") != null) {
      String problem = validateContent(body.getValue("systemInstruction"), "system_instruction", false);
      if (problem != null) {
        return problem;
      }
    }
    Object contents = body.getValue("contents");
    if (!(contents instanceof JsonArray) || ((JsonArray) contents).isEmpty()) {
      return "* GenerateContentRequest.contents: contents is not specified\n";
    }
    JsonArray list = (JsonArray) contents;
    int pendingCalls = 0;
    for (int i = 0; i < list.size(); i++) {
      String problem = validateContent(list.getValue(i), "contents[" + i + "]", true);
      if (problem != null) {
        return problem;
      }
      JsonObject content = list.getJsonObject(i);
      int calls = count(content, "functionCall");
      int responses = count(content, "functionResponse");
      if (responses > 0 && responses != pendingCalls) {
        return pendingCalls == 0
            ? "Please ensure that function response turn comes immediately after a function call turn."
            : "Please ensure that the number of function response parts is equal to the number of function call parts "
                + "of the function call turn.";
      }
      pendingCalls = "model".equals(content.getValue("role")) ? calls : 0;
    }
    String tools = validateTools(body.getValue("tools"));
    if (tools != null) {
      return tools;
    }
    Object generation = body.getValue("generationConfig");
    if (generation instanceof JsonObject) {
      for (String field : ((JsonObject) generation).fieldNames()) {
        if (!GENERATION_FIELDS.contains(field)) {
          return "Invalid JSON payload received. Unknown name \"" + field + "\" at 'generation_config': Cannot find field.";
        }
      }
    }
    return null;
  }

  private static String validateContent(Object value, String path, boolean needsRole) {
    if (!(value instanceof JsonObject)) {
      return "Invalid JSON payload received. Expected an object at '" + path + "'.";
    }
    JsonObject content = (JsonObject) value;
    Object role = content.getValue("role");
    if (needsRole && role != null && !"user".equals(role) && !"model".equals(role)) {
      return "Please use a valid role: user, model.";
    }
    Object parts = content.getValue("parts");
    if (!(parts instanceof JsonArray) || ((JsonArray) parts).isEmpty()) {
      return "* GenerateContentRequest." + path + ".parts: contents.parts must not be empty.\n";
    }
    JsonArray list = (JsonArray) parts;
    for (int j = 0; j < list.size(); j++) {
      if (!(list.getValue(j) instanceof JsonObject)) {
        return "Invalid JSON payload received. Expected an object at '" + path + ".parts[" + j + "]'.";
      }
      JsonObject part = list.getJsonObject(j);
      int data = 0;
      for (String field : part.fieldNames()) {
        if (!PART_FIELDS.contains(field)) {
          return "Invalid JSON payload received. Unknown name \"" + field + "\" at '" + path + ".parts[" + j + "]': Cannot find field.";
        }
        if (PART_DATA.contains(field)) {
          data++;
        }
      }
      if (data != 1) {
        return "* GenerateContentRequest." + path + ".parts[" + j + "].data: required oneof field 'data' must have one initialized field\n";
      }
      if (part.getValue("functionCall") instanceof JsonObject call && !(call.getValue("args") == null || call.getValue("args") instanceof JsonObject)) {
        return "Invalid value at '" + path + ".parts[" + j + "].function_call.args' (type.googleapis.com/google.protobuf.Struct)";
      }
      if (part.getValue("functionResponse") instanceof JsonObject response && !(response.getValue("response") instanceof JsonObject)) {
        return "Invalid value at '" + path + ".parts[" + j + "].function_response.response' (type.googleapis.com/google.protobuf.Struct)";
      }
      if (part.getValue("inlineData") instanceof JsonObject inline && !(inline.getValue("mimeType") instanceof String)) {
        return "* GenerateContentRequest." + path + ".parts[" + j + "].inline_data.mime_type: mime_type is required\n";
      }
    }
    return null;
  }

  private static String validateTools(Object tools) {
    if (tools == null) {
      return null;
    }
    if (!(tools instanceof JsonArray)) {
      return "Invalid JSON payload received. Expected a list at 'tools'.";
    }
    JsonArray list = (JsonArray) tools;
    for (int i = 0; i < list.size(); i++) {
      Object declarations = list.getValue(i) instanceof JsonObject ? list.getJsonObject(i).getValue("functionDeclarations") : null;
      if (!(declarations instanceof JsonArray)) {
        continue;
      }
      JsonArray functions = (JsonArray) declarations;
      for (int j = 0; j < functions.size(); j++) {
        JsonObject function = functions.getJsonObject(j);
        String path = "tools[" + i + "].function_declarations[" + j + "]";
        if (!(function.getValue("name") instanceof String) || function.getString("name").isEmpty()) {
          return "* GenerateContentRequest." + path + ".name: Invalid function name. Must start with a letter or an "
              + "underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.) or dashes (-), with a maximum length of 64.\n";
        }
        Object parameters = function.getValue("parameters");
        if (parameters instanceof JsonObject) {
          String problem = validateSchema((JsonObject) parameters, path + ".parameters");
          if (problem != null) {
            return problem;
          }
          JsonObject schema = (JsonObject) parameters;
          Object properties = schema.getValue("properties");
          if ("OBJECT".equalsIgnoreCase(String.valueOf(schema.getValue("type")))
              && (!(properties instanceof JsonObject) || ((JsonObject) properties).isEmpty())) {
            return "* GenerateContentRequest." + path + ".parameters.properties: should be non-empty for OBJECT type\n";
          }
        }
      }
    }
    return null;
  }

  private static String validateSchema(JsonObject schema, String path) {
    for (Map.Entry<String, Object> entry : schema) {
      String key = entry.getKey();
      if (!SCHEMA_FIELDS.contains(key)) {
        return "Invalid JSON payload received. Unknown name \"" + key + "\" at '" + path + "': Cannot find field.";
      }
      if (key.equals("type") && !(entry.getValue() instanceof String
          && TYPES.contains(((String) entry.getValue()).toUpperCase(Locale.ROOT)))) {
        return "Invalid value at '" + path + ".type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), "
            + entry.getValue();
      }
      if (key.equals("properties") && entry.getValue() instanceof JsonObject) {
        for (Map.Entry<String, Object> property : (JsonObject) entry.getValue()) {
          if (property.getValue() instanceof JsonObject) {
            String problem = validateSchema((JsonObject) property.getValue(), path + ".properties[" + property.getKey() + "].value");
            if (problem != null) {
              return problem;
            }
          }
        }
      }
      if (key.equals("items") && entry.getValue() instanceof JsonObject) {
        String problem = validateSchema((JsonObject) entry.getValue(), path + ".items");
        if (problem != null) {
          return problem;
        }
      }
    }
    return null;
  }

  private static int count(JsonObject content, String kind) {
    int n = 0;
    for (Object part : content.getJsonArray("parts")) {
      if (((JsonObject) part).containsKey(kind)) {
        n++;
      }
    }
    return n;
  }

  Reply defaultReply(JsonObject body) {
    JsonArray contents = body.getJsonArray("contents");
    for (int i = contents.size() - 1; i >= 0; i--) {
      JsonObject content = contents.getJsonObject(i);
      if (!"model".equals(content.getValue("role"))) {
        StringBuilder text = new StringBuilder();
        StringBuilder responses = new StringBuilder();
        for (Object value : content.getJsonArray("parts")) {
          JsonObject part = (JsonObject) value;
          if (part.getValue("text") instanceof String) {
            text.append(part.getString("text"));
          } else if (part.getValue("functionResponse") instanceof JsonObject) {
            responses.append(part.getJsonObject("functionResponse").getValue("response"));
          }
        }
        return Reply.text("echo: " + (text.length() > 0 ? text : responses));
      }
    }
    return Reply.text("echo: ");
  }

  Rendered render(Call call, Admission admitted, GeminiReply scripted) {
    Reply reply = scripted.reply;
    switch (reply.kind) {
      case ERROR:
        return error(reply.status, status(reply.errorType, reply.status), reply.errorMessage,
            details(reply.status, scripted.reason != null ? scripted.reason : reply.errorCode, scripted.retryDelay));
      case RAW:
        return Rendered.raw(reply.status, headers(), reply.rawContentType, reply.rawBody);
      default:
        return content(call, admitted, scripted);
    }
  }

  private Rendered content(Call call, Admission admitted, GeminiReply scripted) {
    Reply reply = scripted.reply;
    JsonObject body = admitted.body();
    String model = reply.model != null ? reply.model : call.model();
    String responseId = String.format("fakeGem%016d", state.nextSequence());
    String canonical = canonicalPrompt(body);
    int prompt = Tokens.atLeastOne(canonical.length());
    int cached = state.cache().openAi(admitted.apiKey(), call.model(), canonical);
    int outputChars = reply.text == null ? 0 : reply.text.length();
    for (Reply.ToolCall toolCall : reply.toolCalls) {
      outputChars += toolCall.argumentsJson().length();
    }
    int candidates = Tokens.of(outputChars);
    int thoughts = reply.thinking == null ? 0 : Tokens.of(reply.thinking.length());
    if (reply.usage != null) {
      prompt = reply.usage.input() + reply.usage.cacheRead() + reply.usage.cacheWrite();
      cached = reply.usage.cacheRead();
      candidates = reply.usage.output();
      thoughts = 0;
    }
    if (scripted.blockReason != null) {
      JsonObject blocked = new JsonObject()
          .put("promptFeedback", new JsonObject().put("blockReason", scripted.blockReason)
              .put("safetyRatings", safetyRatings()))
          .put("usageMetadata", new JsonObject().put("promptTokenCount", prompt).put("totalTokenCount", prompt))
          .put("modelVersion", model).put("responseId", responseId);
      return respond(call, List.of(blocked), reply);
    }
    String finish = finishReason(reply.stopReason);
    List<JsonArray> pieces = new ArrayList<>();
    if (call.stream()) {
      if (reply.thinking != null) {
        Frames.words(reply.thinking).forEach(w -> pieces.add(new JsonArray().add(thought(w))));
      }
      if (reply.text != null) {
        Frames.words(reply.text).forEach(w -> pieces.add(new JsonArray().add(new JsonObject().put("text", w))));
      }
      if (!reply.toolCalls.isEmpty()) {
        pieces.add(functionCalls(reply.toolCalls));
      }
      if (pieces.isEmpty()) {
        pieces.add(new JsonArray().add(new JsonObject().put("text", "")));
      }
    } else {
      JsonArray parts = new JsonArray();
      if (reply.thinking != null) {
        parts.add(thought(reply.thinking));
      }
      if (reply.text != null) {
        parts.add(new JsonObject().put("text", reply.text));
      }
      functionCalls(reply.toolCalls).forEach(parts::add);
      pieces.add(parts);
    }
    List<JsonObject> chunks = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      boolean last = i == pieces.size() - 1;
      JsonObject candidate = new JsonObject()
          .put("content", new JsonObject().put("parts", pieces.get(i)).put("role", "model"));
      if (last) {
        candidate.put("finishReason", finish);
        if ("SAFETY".equals(finish)) {
          candidate.put("safetyRatings", safetyRatings());
        }
      }
      candidate.put("index", 0);
      int soFar = last ? candidates : candidates * (i + 1) / pieces.size();
      chunks.add(new JsonObject().put("candidates", new JsonArray().add(candidate))
          .put("usageMetadata", usage(prompt, cached, soFar, thoughts))
          .put("modelVersion", model).put("responseId", responseId));
    }
    return respond(call, chunks, reply);
  }

  private Rendered respond(Call call, List<JsonObject> chunks, Reply reply) {
    if (!call.stream()) {
      return Rendered.json(200, headers(), chunks.get(0));
    }
    if (!call.sse()) {
      return Rendered.raw(200, headers(), "application/json; charset=UTF-8", new JsonArray(new ArrayList<Object>(chunks)).encodePrettily());
    }
    List<Buffer> events = new ArrayList<>();
    for (JsonObject chunk : chunks) {
      events.add(frame(chunk));
    }
    if (reply.midStreamError != null) {
      events = new ArrayList<>(events.subList(0, Math.min(reply.midStreamError.afterEvents(), events.size())));
      String status = status(reply.midStreamError.type(), 500);
      events.add(frame(new JsonObject().put("error", new JsonObject().put("code", code(status))
          .put("message", reply.midStreamError.message()).put("status", status))));
    }
    MultiMap headers = headers();
    Rendered rendered = Rendered.stream(headers, events);
    headers.set("content-type", "text/event-stream");
    return rendered;
  }

  private static Buffer frame(JsonObject chunk) {
    return Buffer.buffer("data: " + chunk.encode() + "\r\n\r\n");
  }

  private static JsonObject thought(String text) {
    return new JsonObject().put("text", text).put("thought", true);
  }

  private static JsonArray functionCalls(List<Reply.ToolCall> calls) {
    JsonArray parts = new JsonArray();
    for (int i = 0; i < calls.size(); i++) {
      Reply.ToolCall call = calls.get(i);
      JsonObject functionCall = new JsonObject();
      if (call.id() != null) {
        functionCall.put("id", call.id());
      }
      functionCall.put("name", call.name()).put("args", new JsonObject(call.argumentsJson()));
      JsonObject part = new JsonObject().put("functionCall", functionCall);
      if (i == 0) {
        part.put("thoughtSignature", FAKE_SIGNATURE);
      }
      parts.add(part);
    }
    return parts;
  }

  private static JsonObject usage(int prompt, int cached, int candidates, int thoughts) {
    JsonObject usage = new JsonObject().put("promptTokenCount", prompt);
    if (candidates > 0) {
      usage.put("candidatesTokenCount", candidates);
    }
    usage.put("totalTokenCount", prompt + candidates + thoughts);
    if (cached > 0) {
      usage.put("cachedContentTokenCount", cached);
    }
    usage.put("promptTokensDetails", new JsonArray().add(new JsonObject().put("modality", "TEXT").put("tokenCount", prompt)));
    if (cached > 0) {
      usage.put("cacheTokensDetails", new JsonArray().add(new JsonObject().put("modality", "TEXT").put("tokenCount", cached)));
    }
    if (thoughts > 0) {
      usage.put("thoughtsTokenCount", thoughts);
    }
    return usage;
  }

  private static JsonArray safetyRatings() {
    return new JsonArray()
        .add(new JsonObject().put("category", "HARM_CATEGORY_DANGEROUS_CONTENT").put("probability", "HIGH").put("blocked", true))
        .add(new JsonObject().put("category", "HARM_CATEGORY_HARASSMENT").put("probability", "NEGLIGIBLE"));
  }

  private static String finishReason(String stopReason) {
    if (stopReason == null) {
      return "STOP";
    }
    switch (stopReason) {
      case "end_turn":
      case "stop":
      case "stop_sequence":
      case "tool_use":
      case "tool_calls":
        return "STOP";
      case "max_tokens":
      case "length":
        return "MAX_TOKENS";
      case "refusal":
      case "content_filter":
        return "SAFETY";
      default:
        return stopReason;
    }
  }

  /** Tools, system instruction and contents as received, one per line: what the cache simulation hashes. */
  static String canonicalPrompt(JsonObject body) {
    StringBuilder canonical = new StringBuilder();
    if (body.getValue("tools") != null) {
      canonical.append(io.vertx.core.json.Json.encode(body.getValue("tools"))).append('\n');
    }
    if (body.getValue("systemInstruction") != null) {
      canonical.append(io.vertx.core.json.Json.encode(body.getValue("systemInstruction"))).append('\n');
    }
    for (Object content : body.getJsonArray("contents")) {
      canonical.append(io.vertx.core.json.Json.encode(content)).append('\n');
    }
    return canonical.toString();
  }

  /** A type of any route's vocabulary as Google's canonical status. */
  static String status(String type, int code) {
    switch (type) {
      case "rate_limit_error":
      case "rate_limit_exceeded":
      case "insufficient_quota":
        return "RESOURCE_EXHAUSTED";
      case "overloaded_error":
        return "UNAVAILABLE";
      case "api_error":
      case "server_error":
        return "INTERNAL";
      case "timeout_error":
        return "DEADLINE_EXCEEDED";
      case "authentication_error":
      case "invalid_api_key":
        return "UNAUTHENTICATED";
      case "permission_error":
        return "PERMISSION_DENIED";
      case "not_found_error":
      case "model_not_found":
        return "NOT_FOUND";
      case "invalid_request_error":
        return "INVALID_ARGUMENT";
      default:
        return type;
    }
  }

  private static int code(String status) {
    switch (status) {
      case "RESOURCE_EXHAUSTED":
        return 429;
      case "UNAVAILABLE":
        return 503;
      case "DEADLINE_EXCEEDED":
        return 504;
      case "INVALID_ARGUMENT":
      case "FAILED_PRECONDITION":
        return 400;
      default:
        return 500;
    }
  }

  private static JsonArray details(int code, String reason, String retryDelay) {
    JsonArray details = new JsonArray();
    if (reason != null) {
      details.add(errorInfo(reason));
    }
    if (code == 429) {
      details.add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.QuotaFailure")
          .put("violations", new JsonArray().add(new JsonObject()
              .put("quotaMetric", "generativelanguage.googleapis.com/generate_content_free_tier_requests")
              .put("quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
              .put("quotaValue", "10"))));
      details.add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.Help")
          .put("links", new JsonArray().add(new JsonObject().put("description", "Learn more about Gemini API quotas")
              .put("url", "https://ai.google.dev/gemini-api/docs/rate-limits"))));
    }
    if (retryDelay != null) {
      details.add(new JsonObject().put("@type", "type.googleapis.com/google.rpc.RetryInfo").put("retryDelay", retryDelay));
    }
    return details;
  }

  private static JsonObject errorInfo(String reason) {
    return new JsonObject().put("@type", "type.googleapis.com/google.rpc.ErrorInfo").put("reason", reason)
        .put("domain", "googleapis.com")
        .put("metadata", new JsonObject().put("service", "generativelanguage.googleapis.com"));
  }

  static Rendered error(int code, String status, String message, JsonArray details) {
    JsonObject error = new JsonObject().put("code", code).put("message", message).put("status", status);
    if (!details.isEmpty()) {
      error.put("details", details);
    }
    return Rendered.json(code, headers(), new JsonObject().put("error", error));
  }

  private static Admission reject(int code, String status, String message, JsonArray details) {
    return new Admission(error(code, status, message, details), null, null);
  }

  private static Admission invalid(String message) {
    return reject(400, "INVALID_ARGUMENT", message, new JsonArray());
  }

  private static MultiMap headers() {
    return MultiMap.caseInsensitiveMultiMap()
        .set("vary", "Origin, X-Origin, Referer")
        .set("server", "scaffolding on HTTPServer2")
        .set("server-timing", "gfet4t7; dur=42")
        .set("x-content-type-options", "nosniff");
  }
}
