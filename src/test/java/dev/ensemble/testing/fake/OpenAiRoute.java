package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code POST /v1/chat/completions}, as OpenAI's Chat Completions API answers it. */
final class OpenAiRoute implements Route {

  private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");
  private static final String SYSTEM_FINGERPRINT = "fp_fake0001";

  private final UpstreamState state;

  OpenAiRoute(UpstreamState state) {
    this.state = state;
  }

  @Override
  public Admission admit(RecordedRequest request) {
    Admission caller = authenticate(request);
    if (caller.rejection() != null) {
      return caller;
    }
    JsonObject body = parse(request);
    if (body == null) {
      return unparsable();
    }
    JsonObject problem = validate(body);
    return problem == null ? Admission.accepted(body, caller.apiKey()) : reject(400, problem);
  }

  /** The API key check every OpenAI route makes: a rejection, or an admission with the key and no body yet. */
  Admission authenticate(RecordedRequest request) {
    String key = bearer(request.header("authorization"));
    if (request.header("authorization") == null && state.keyOptional()) {
      key = "";
    } else if (key == null || key.isEmpty()) {
      return reject(401, error("You didn't provide an API key. You need to provide your API key in an "
          + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          "invalid_request_error", null, null));
    }
    if (!key.isEmpty() && !state.accepts(key)) {
      return reject(401, error("Incorrect API key provided: " + mask(key)
          + ". You can find your API key at https://platform.openai.com/account/api-keys.",
          "invalid_request_error", null, "invalid_api_key"));
    }
    return Admission.accepted(null, key);
  }

  /** The body as a JSON object, or null when it is not one. */
  static JsonObject parse(RecordedRequest request) {
    try {
      return request.json();
    } catch (RuntimeException e) {
      return null;
    }
  }

  Admission unparsable() {
    return reject(400, error("We could not parse the JSON body of your request. (HINT: This likely means "
        + "you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what "
        + "was sent was not valid JSON.)", "invalid_request_error", null, null));
  }

  private JsonObject validate(JsonObject body) {
    if (!(body.getValue("model") instanceof String) || body.getString("model").isEmpty()) {
      return error("you must provide a model parameter", "invalid_request_error", null, null);
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      return invalid("Invalid type for 'stream': expected a boolean, but got " + typeName(stream) + " instead.",
          "stream", "invalid_type");
    }
    if (body.containsKey("stream_options") && !Boolean.TRUE.equals(stream)) {
      return invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
          "stream_options", null);
    }
    Object messages = body.getValue("messages");
    if (messages == null) {
      return invalid("Missing required parameter: 'messages'.", "messages", "missing_required_parameter");
    }
    if (!(messages instanceof JsonArray)) {
      return invalid("Invalid type for 'messages': expected an array of objects, but got "
          + typeName(messages) + " instead.", "messages", "invalid_type");
    }
    JsonArray list = (JsonArray) messages;
    if (list.isEmpty()) {
      return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an "
          + "empty array instead.", "messages", "empty_array");
    }
    Set<String> pending = new LinkedHashSet<>();
    int pendingFrom = -1;
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject)) {
        return invalid("Invalid type for 'messages[" + i + "]': expected an object, but got "
            + typeName(list.getValue(i)) + " instead.", "messages[" + i + "]", "invalid_type");
      }
      JsonObject message = list.getJsonObject(i);
      Object role = message.getValue("role");
      if (role == null) {
        return invalid("Missing required parameter: 'messages[" + i + "].role'.", "messages[" + i + "].role",
            "missing_required_parameter");
      }
      if (!ROLES.contains(role)) {
        return invalid("Invalid value: '" + role + "'. Supported values are: 'system', 'assistant', 'user', "
            + "'function', 'tool', and 'developer'.", "messages[" + i + "].role", "invalid_value");
      }
      if ("tool".equals(role)) {
        Object id = message.getValue("tool_call_id");
        if (!(id instanceof String) || ((String) id).isEmpty()) {
          return invalid("Missing parameter 'tool_call_id': messages with role 'tool' must have a "
              + "'tool_call_id'.", "messages.[" + i + "].tool_call_id", null);
        }
        if (!pending.remove(id)) {
          return invalid("Invalid parameter: messages with role 'tool' must be a response to a preceeding "
              + "message with 'tool_calls'.", "messages.[" + i + "].role", null);
        }
        continue;
      }
      if (!pending.isEmpty()) {
        return unanswered(pendingFrom, pending);
      }
      Object toolCalls = message.getValue("tool_calls");
      if ("assistant".equals(role) && toolCalls instanceof JsonArray) {
        for (Object call : (JsonArray) toolCalls) {
          if (!(call instanceof JsonObject) || !(((JsonObject) call).getValue("id") instanceof String)) {
            return invalid("Missing required parameter: 'messages[" + i + "].tool_calls[0].id'.",
                "messages[" + i + "].tool_calls[0].id", "missing_required_parameter");
          }
          pending.add(((JsonObject) call).getString("id"));
        }
        pendingFrom = i;
      }
    }
    return pending.isEmpty() ? null : unanswered(pendingFrom, pending);
  }

  private static JsonObject unanswered(int index, Set<String> ids) {
    return invalid("An assistant message with 'tool_calls' must be followed by tool messages responding to "
        + "each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        + String.join(", ", ids), "messages.[" + index + "].role", null);
  }

  @Override
  public Reply defaultReply(JsonObject body) {
    JsonArray messages = body.getJsonArray("messages");
    for (int i = messages.size() - 1; i >= 0; i--) {
      JsonObject message = messages.getJsonObject(i);
      if ("user".equals(message.getString("role"))) {
        return Reply.text("echo: " + text(message.getValue("content")));
      }
    }
    return Reply.text("echo: ");
  }

  private static String text(Object content) {
    if (content instanceof String) {
      return (String) content;
    }
    StringBuilder text = new StringBuilder();
    if (content instanceof JsonArray) {
      for (Object part : (JsonArray) content) {
        if (part instanceof JsonObject && "text".equals(((JsonObject) part).getString("type"))) {
          text.append(((JsonObject) part).getString("text", ""));
        }
      }
    }
    return text.toString();
  }

  @Override
  public Rendered render(Admission admitted, Reply reply) {
    switch (reply.kind) {
      case ERROR:
        return Rendered.json(reply.status, headers(admitted.apiKey(), 0),
            error(reply.errorMessage, errorType(reply.errorType), null,
                reply.errorCode != null ? reply.errorCode : errorCode(reply.status, reply.errorType)));
      case RAW:
        return Rendered.raw(reply.status, headers(admitted.apiKey(), 0), reply.rawContentType, reply.rawBody);
      default:
        return renderContent(admitted, reply);
    }
  }

  private Rendered renderContent(Admission admitted, Reply reply) {
    JsonObject body = admitted.body();
    String requestModel = body.getString("model");
    String model = reply.model != null ? reply.model : requestModel;
    List<JsonObject> toolCalls = new ArrayList<>();
    int outputChars = reply.text == null ? 0 : reply.text.length();
    for (Reply.ToolCall call : reply.toolCalls) {
      String id = call.id() != null ? call.id() : String.format("call_FAKE%019d", state.nextSequence());
      toolCalls.add(new JsonObject().put("id", id).put("type", "function")
          .put("function", new JsonObject().put("name", call.name()).put("arguments", call.argumentsJson())));
      outputChars += call.argumentsJson().length();
    }
    String canonical = canonicalPrompt(body);
    int prompt = Tokens.atLeastOne(canonical.length());
    int cached = state.cache().openAi(admitted.apiKey(), requestModel, canonical);
    int completion = Tokens.atLeastOne(outputChars);
    if (reply.usage != null) {
      prompt = reply.usage.input() + reply.usage.cacheRead() + reply.usage.cacheWrite();
      cached = reply.usage.cacheRead();
      completion = reply.usage.output();
    }
    completion += reply.reasoningTokens;
    JsonObject usage = usage(prompt, cached, completion, reply.reasoningTokens);
    if (body.getValue("usage") instanceof JsonObject accounting && Boolean.TRUE.equals(accounting.getValue("include"))) {
      usage.put("cost", (prompt + completion) * FakeUpstream.FAKE_USD_PER_TOKEN);
    }
    String finish = finishReason(reply);
    String id = String.format("chatcmpl-FAKE%020d", state.nextSequence());
    long created = state.nowMillis() / 1000;
    MultiMap headers = headers(admitted.apiKey(), prompt + completion);
    if (!Boolean.TRUE.equals(body.getValue("stream"))) {
      JsonObject message = new JsonObject().put("role", "assistant").put("content", reply.text)
          .put("refusal", null).put("annotations", new JsonArray());
      if (!toolCalls.isEmpty()) {
        message.put("tool_calls", new JsonArray(new ArrayList<Object>(toolCalls)));
      }
      JsonObject completionBody = new JsonObject().put("id", id).put("object", "chat.completion")
          .put("created", created).put("model", model)
          .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("message", message)
              .put("logprobs", null).put("finish_reason", finish)))
          .put("usage", usage).put("service_tier", "default").put("system_fingerprint", SYSTEM_FINGERPRINT);
      return Rendered.json(200, headers, completionBody);
    }
    JsonObject streamOptions = body.getJsonObject("stream_options");
    boolean includeUsage = streamOptions != null && Boolean.TRUE.equals(streamOptions.getValue("include_usage"));
    ChunkWriter chunks = new ChunkWriter(id, created, model, includeUsage);
    List<JsonObject> deltas = new ArrayList<>();
    int firstTool = 0;
    if (reply.text != null || toolCalls.isEmpty()) {
      deltas.add(new JsonObject().put("role", "assistant").put("content", "").put("refusal", null));
      if (reply.text != null) {
        for (String word : Frames.words(reply.text)) {
          deltas.add(new JsonObject().put("content", word));
        }
      }
    } else {
      deltas.add(new JsonObject().put("role", "assistant").put("content", null)
          .put("tool_calls", new JsonArray().add(toolHeader(0, toolCalls.get(0)))).put("refusal", null));
      addArgumentDeltas(deltas, 0, toolCalls.get(0));
      firstTool = 1;
    }
    for (int i = firstTool; i < toolCalls.size(); i++) {
      deltas.add(new JsonObject().put("tool_calls", new JsonArray().add(toolHeader(i, toolCalls.get(i)))));
      addArgumentDeltas(deltas, i, toolCalls.get(i));
    }
    List<Buffer> events = new ArrayList<>();
    for (JsonObject delta : deltas) {
      events.add(chunks.chunk(delta, null));
    }
    events.add(chunks.chunk(new JsonObject(), finish));
    if (includeUsage) {
      events.add(chunks.usageChunk(usage));
    }
    events.add(Frames.data("[DONE]"));
    if (reply.midStreamError != null) {
      int after = Math.min(reply.midStreamError.afterEvents(), events.size());
      events = new ArrayList<>(events.subList(0, after));
      String type = errorType(reply.midStreamError.type());
      events.add(Frames.data(new JsonObject().put("error", new JsonObject()
          .put("message", reply.midStreamError.message()).put("type", type).put("param", null)
          .put("code", errorCode(0, reply.midStreamError.type()))).encode()));
    }
    return Rendered.stream(headers, events);
  }

  private static JsonObject toolHeader(int index, JsonObject call) {
    return new JsonObject().put("index", index).put("id", call.getString("id")).put("type", "function")
        .put("function", new JsonObject().put("name", call.getJsonObject("function").getString("name"))
            .put("arguments", ""));
  }

  private static void addArgumentDeltas(List<JsonObject> deltas, int index, JsonObject call) {
    for (String piece : Frames.pieces(call.getJsonObject("function").getString("arguments"))) {
      deltas.add(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject().put("index", index)
          .put("function", new JsonObject().put("arguments", piece)))));
    }
  }

  /** Writes {@code chat.completion.chunk} frames sharing one id, created and model. */
  private static final class ChunkWriter {
    private final String id;
    private final long created;
    private final String model;
    private final boolean includeUsage;

    ChunkWriter(String id, long created, String model, boolean includeUsage) {
      this.id = id;
      this.created = created;
      this.model = model;
      this.includeUsage = includeUsage;
    }

    Buffer chunk(JsonObject delta, String finishReason) {
      JsonObject chunk = base().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
          .put("delta", delta).put("logprobs", null).put("finish_reason", finishReason)));
      if (includeUsage) {
        chunk.put("usage", null);
      }
      return Frames.data(chunk.encode());
    }

    Buffer usageChunk(JsonObject usage) {
      return Frames.data(base().put("choices", new JsonArray()).put("usage", usage).encode());
    }

    private JsonObject base() {
      return new JsonObject().put("id", id).put("object", "chat.completion.chunk").put("created", created)
          .put("model", model).put("service_tier", "default").put("system_fingerprint", SYSTEM_FINGERPRINT);
    }
  }

  /** Tools then messages, each as received, one per line: what the cache simulation hashes. */
  static String canonicalPrompt(JsonObject body) {
    StringBuilder canonical = new StringBuilder();
    Object tools = body.getValue("tools");
    if (tools instanceof JsonArray) {
      for (Object tool : (JsonArray) tools) {
        canonical.append(Json.encode(tool)).append('\n');
      }
    }
    for (Object message : body.getJsonArray("messages")) {
      canonical.append(Json.encode(message)).append('\n');
    }
    return canonical.toString();
  }

  private static JsonObject usage(int prompt, int cached, int completion, int reasoning) {
    return new JsonObject().put("prompt_tokens", prompt).put("completion_tokens", completion)
        .put("total_tokens", prompt + completion)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", cached).put("audio_tokens", 0))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", reasoning).put("audio_tokens", 0)
            .put("accepted_prediction_tokens", 0).put("rejected_prediction_tokens", 0));
  }

  private static String finishReason(Reply reply) {
    if (reply.stopReason == null) {
      return reply.toolCalls.isEmpty() ? "stop" : "tool_calls";
    }
    switch (reply.stopReason) {
      case "end_turn":
      case "stop_sequence":
        return "stop";
      case "max_tokens":
        return "length";
      case "tool_use":
        return "tool_calls";
      case "refusal":
        return "content_filter";
      default:
        return reply.stopReason;
    }
  }

  private static String errorType(String type) {
    switch (type) {
      case "rate_limit_error":
      case "rate_limit_exceeded":
        return "requests";
      case "authentication_error":
      case "invalid_api_key":
      case "permission_error":
      case "not_found_error":
      case "model_not_found":
      case "context_length_exceeded":
      case "request_too_large":
        return "invalid_request_error";
      case "api_error":
      case "overloaded_error":
        return "server_error";
      case "billing_error":
        return "insufficient_quota";
      default:
        return type;
    }
  }

  private static String errorCode(int status, String type) {
    switch (type) {
      case "rate_limit_error":
      case "rate_limit_exceeded":
      case "requests":
      case "tokens":
        return "rate_limit_exceeded";
      case "insufficient_quota":
      case "billing_error":
        return "insufficient_quota";
      case "authentication_error":
      case "invalid_api_key":
        return "invalid_api_key";
      case "not_found_error":
      case "model_not_found":
        return "model_not_found";
      case "context_length_exceeded":
        return "context_length_exceeded";
      default:
        return status == 429 ? "rate_limit_exceeded" : null;
    }
  }

  MultiMap headers(String apiKey, int tokens) {
    int[] remaining = state.consume(apiKey, tokens);
    return MultiMap.caseInsensitiveMultiMap()
        .set("x-request-id", String.format("req_%032x", state.nextSequence()))
        .set("openai-processing-ms", "42")
        .set("openai-version", "2020-10-01")
        .set("openai-organization", "fake-org")
        .set("x-ratelimit-limit-requests", String.valueOf(UpstreamState.REQUESTS_LIMIT))
        .set("x-ratelimit-limit-tokens", String.valueOf(UpstreamState.TOKENS_LIMIT))
        .set("x-ratelimit-remaining-requests", String.valueOf(remaining[0]))
        .set("x-ratelimit-remaining-tokens", String.valueOf(remaining[1]))
        .set("x-ratelimit-reset-requests", "6ms")
        .set("x-ratelimit-reset-tokens", "0s");
  }

  Admission reject(int status, JsonObject body) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .set("x-request-id", String.format("req_%032x", state.nextSequence()));
    return Admission.rejected(Rendered.json(status, headers, body));
  }

  static JsonObject invalid(String message, String param, String code) {
    return error(message, "invalid_request_error", param, code);
  }

  private static JsonObject error(String message, String type, String param, String code) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)
        .put("param", param).put("code", code));
  }

  static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return authorization.substring(7).trim();
  }

  private static String mask(String key) {
    return key.length() <= 8 ? "****" : key.substring(0, 3) + "*".repeat(key.length() - 7)
        + key.substring(key.length() - 4);
  }

  private static String typeName(Object value) {
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof JsonArray) {
      return "an array";
    }
    return value == null ? "null" : "an object";
  }
}
