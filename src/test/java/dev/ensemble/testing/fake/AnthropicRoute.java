package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /v1/messages}, as Anthropic's Messages API answers it. The key is read from
 * {@code x-api-key} (the real header) or, failing that, from {@code Authorization: Bearer} (what
 * anthropic-java 3.12.0's {@code apiKey()} sends).
 */
final class AnthropicRoute implements Route {

  private static final Set<String> ANTHROPIC_ERROR_TYPES = Set.of("invalid_request_error",
      "authentication_error", "billing_error", "permission_error", "not_found_error", "request_too_large",
      "rate_limit_error", "api_error", "overloaded_error", "timeout_error");

  private final UpstreamState state;

  AnthropicRoute(UpstreamState state) {
    this.state = state;
  }

  @Override
  public Admission admit(RecordedRequest request) {
    return admit(request, false);
  }

  /**
   * {@code POST /v1/messages/count_tokens}: the same caller checks, a body of the fields that endpoint takes only
   * (the real API says "Extra inputs are not permitted" to {@code max_tokens}, {@code stream}, sampling fields), the
   * same system, tools and messages rules.
   */
  Admission admitCount(RecordedRequest request) {
    return admit(request, true);
  }

  /**
   * The answer of an admitted count: {@code {"input_tokens": n}}, n = {@link #countedTokens}; a queued ERROR or RAW
   * reply is played instead.
   */
  Rendered renderCount(Admission admitted, Reply reply) {
    if (reply != null && reply.kind != Reply.Kind.CONTENT) {
      return render(admitted, reply);
    }
    return Rendered.json(200, MultiMap.caseInsensitiveMultiMap().set("request-id", requestId()),
        new JsonObject().put("input_tokens", countedTokens(admitted.body())));
  }

  /** What the fake's count_tokens answers for a body: a quarter of the characters of its system, tools and messages as JSON. */
  static int countedTokens(JsonObject body) {
    int chars = 0;
    for (String field : List.of("system", "tools", "messages")) {
      if (body.getValue(field) != null) {
        chars += Json.encode(body.getValue(field)).length();
      }
    }
    return Tokens.atLeastOne(chars);
  }

  private static final Set<String> COUNT_FIELDS = Set.of("model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers");

  private Admission admit(RecordedRequest request, boolean count) {
    String key = request.header("x-api-key");
    if (key == null || key.isBlank()) {
      key = OpenAiRoute.bearer(request.header("authorization"));
    }
    if (key == null || key.isEmpty()) {
      return reject(401, "authentication_error", "x-api-key header is required");
    }
    if (!state.accepts(key)) {
      return reject(401, "authentication_error", "invalid x-api-key");
    }
    String version = request.header("anthropic-version");
    if (version == null || version.isBlank()) {
      return reject(400, "invalid_request_error", "anthropic-version: header is required");
    }
    JsonObject body;
    try {
      body = request.json();
    } catch (RuntimeException e) {
      return reject(400, "invalid_request_error", "There was an error parsing the body of your request: "
          + "it is not a valid JSON object");
    }
    String problem = count ? validateCount(body) : validate(body);
    return problem == null ? Admission.accepted(body, key) : reject(400, "invalid_request_error", problem);
  }

  private static String validateCount(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!COUNT_FIELDS.contains(field)) {
        return field + ": Extra inputs are not permitted";
      }
    }
    if (!(body.getValue("model") instanceof String)) {
      return "model: Field required";
    }
    JsonObject asMessages = body.copy().put("max_tokens", 1);
    return validate(asMessages);
  }

  private static String validate(JsonObject body) {
    if (!body.containsKey("model")) {
      return "model: Field required";
    }
    if (!(body.getValue("model") instanceof String)) {
      return "model: Input should be a valid string";
    }
    Object maxTokens = body.getValue("max_tokens");
    if (maxTokens == null) {
      return "max_tokens: Field required";
    }
    if (!(maxTokens instanceof Integer || maxTokens instanceof Long)) {
      return "max_tokens: Input should be a valid integer";
    }
    if (((Number) maxTokens).longValue() < 1) {
      return "max_tokens: Input should be greater than or equal to 1";
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) {
      return "stream: Input should be a valid boolean";
    }
    String system = validateSystem(body.getValue("system"));
    if (system != null) {
      return system;
    }
    Object tools = body.getValue("tools");
    if (tools != null) {
      if (!(tools instanceof JsonArray)) {
        return "tools: Input should be a valid list";
      }
      JsonArray list = (JsonArray) tools;
      for (int i = 0; i < list.size(); i++) {
        if (!(list.getValue(i) instanceof JsonObject) || !(list.getJsonObject(i).getValue("name") instanceof String)) {
          return "tools." + i + ".name: Field required";
        }
      }
    }
    return validateMessages(body.getValue("messages"));
  }

  private static String validateSystem(Object system) {
    if (system == null || system instanceof String) {
      return null;
    }
    if (!(system instanceof JsonArray)) {
      return "system: Input should be a valid list";
    }
    JsonArray blocks = (JsonArray) system;
    for (int i = 0; i < blocks.size(); i++) {
      Object block = blocks.getValue(i);
      if (!(block instanceof JsonObject) || !"text".equals(((JsonObject) block).getValue("type"))) {
        return "system." + i + ".type: Input should be 'text'";
      }
      if (!(((JsonObject) block).getValue("text") instanceof String)) {
        return "system." + i + ".text: Field required";
      }
    }
    return null;
  }

  private static String validateMessages(Object messages) {
    if (messages == null) {
      return "messages: Field required";
    }
    if (!(messages instanceof JsonArray)) {
      return "messages: Input should be a valid list";
    }
    JsonArray list = (JsonArray) messages;
    if (list.isEmpty()) {
      return "messages: at least one message is required";
    }
    String previousRole = null;
    Map<String, Integer> openToolUses = new LinkedHashMap<>();
    for (int i = 0; i < list.size(); i++) {
      if (!(list.getValue(i) instanceof JsonObject)) {
        return "messages." + i + ": Input should be a valid dictionary";
      }
      JsonObject message = list.getJsonObject(i);
      Object role = message.getValue("role");
      if (!"user".equals(role) && !"assistant".equals(role)) {
        return "messages." + i + ".role: Input should be 'user' or 'assistant'";
      }
      if (i == 0 && !"user".equals(role)) {
        return "messages: first message must use the \"user\" role";
      }
      if (role.equals(previousRole)) {
        return "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \""
            + role + "\" roles in a row";
      }
      previousRole = (String) role;
      Object content = message.getValue("content");
      if (content == null) {
        return "messages." + i + ".content: Field required";
      }
      if (!(content instanceof String) && !(content instanceof JsonArray)) {
        return "messages." + i + ".content: Input should be a valid list";
      }
      JsonArray blocks = content instanceof JsonArray ? (JsonArray) content : new JsonArray();
      for (int j = 0; j < blocks.size(); j++) {
        if (!(blocks.getValue(j) instanceof JsonObject)
            || !(blocks.getJsonObject(j).getValue("type") instanceof String)) {
          return "messages." + i + ".content." + j + ".type: Field required";
        }
      }
      if ("user".equals(role)) {
        for (int j = 0; j < blocks.size(); j++) {
          JsonObject block = blocks.getJsonObject(j);
          if ("tool_result".equals(block.getString("type"))) {
            Object id = block.getValue("tool_use_id");
            if (!(id instanceof String)) {
              return "messages." + i + ".content." + j + ".tool_use_id: Field required";
            }
            if (openToolUses.remove(id) == null) {
              return "messages." + i + ".content." + j + ": unexpected `tool_use_id` found in `tool_result` "
                  + "blocks: " + id + ". Each `tool_result` block must have a corresponding `tool_use` block "
                  + "in the previous message.";
            }
          }
        }
        if (!openToolUses.isEmpty()) {
          Map.Entry<String, Integer> first = openToolUses.entrySet().iterator().next();
          return "messages." + (i - 1) + ".content." + first.getValue() + ": `tool_use` ids were found "
              + "without `tool_result` blocks immediately after: " + String.join(", ", openToolUses.keySet())
              + ". Each `tool_use` block must have a corresponding `tool_result` block in the next message.";
        }
      } else {
        openToolUses.clear();
        for (int j = 0; j < blocks.size(); j++) {
          JsonObject block = blocks.getJsonObject(j);
          if ("tool_use".equals(block.getString("type"))) {
            if (!(block.getValue("id") instanceof String)) {
              return "messages." + i + ".content." + j + ".id: Field required";
            }
            openToolUses.put(block.getString("id"), j);
          }
        }
      }
    }
    return null;
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
    StringBuilder toolResults = new StringBuilder();
    for (Object value : (JsonArray) content) {
      JsonObject block = (JsonObject) value;
      if ("text".equals(block.getString("type"))) {
        text.append(block.getString("text", ""));
      } else if ("tool_result".equals(block.getString("type"))) {
        Object result = block.getValue("content");
        toolResults.append(result instanceof JsonArray ? text(result) : result instanceof String ? result : "");
      }
    }
    return text.length() > 0 ? text.toString() : toolResults.toString();
  }

  @Override
  public Rendered render(Admission admitted, Reply reply) {
    switch (reply.kind) {
      case ERROR:
        MultiMap headers = headers(admitted.apiKey(), 0);
        return Rendered.json(reply.status, headers, errorBody(reply.errorType, reply.errorMessage)
            .put("request_id", headers.get("request-id")));
      case RAW:
        return Rendered.raw(reply.status, headers(admitted.apiKey(), 0), reply.rawContentType, reply.rawBody);
      default:
        return renderContent(admitted, reply);
    }
  }

  private Rendered renderContent(Admission admitted, Reply reply) {
    JsonObject body = admitted.body();
    String model = reply.model != null ? reply.model : body.getString("model");
    List<JsonObject> blocks = new ArrayList<>();
    int outputChars = 0;
    if (reply.thinking != null) {
      blocks.add(new JsonObject().put("type", "thinking").put("thinking", reply.thinking)
          .put("signature", reply.thinkingSignature == null ? "" : reply.thinkingSignature));
      outputChars += reply.thinking.length();
    }
    if (reply.text != null) {
      blocks.add(new JsonObject().put("type", "text").put("text", reply.text));
      outputChars += reply.text.length();
    }
    List<String> argumentTexts = new ArrayList<>();
    for (Reply.ToolCall call : reply.toolCalls) {
      String id = call.id() != null ? call.id() : String.format("toolu_01FAKE%016d", state.nextSequence());
      blocks.add(new JsonObject().put("type", "tool_use").put("id", id).put("name", call.name())
          .put("input", parseInput(call.argumentsJson())));
      argumentTexts.add(call.argumentsJson());
      outputChars += call.argumentsJson().length();
    }
    PromptCache.Split split = state.cache().anthropic(admitted.apiKey(), body.getString("model"), segments(body));
    int input = split.input();
    int cacheRead = split.cacheRead();
    int cacheWrite = split.cacheWrite();
    int output = Tokens.atLeastOne(outputChars);
    if (reply.usage != null) {
      input = reply.usage.input();
      cacheRead = reply.usage.cacheRead();
      cacheWrite = reply.usage.cacheWrite();
      output = reply.usage.output();
    }
    String stopReason = stopReason(reply);
    String id = String.format("msg_01FAKE%016d", state.nextSequence());
    MultiMap headers = headers(admitted.apiKey(), input + cacheRead + cacheWrite + output);
    if (!Boolean.TRUE.equals(body.getValue("stream"))) {
      JsonObject message = new JsonObject().put("id", id).put("type", "message").put("role", "assistant")
          .put("model", model).put("content", new JsonArray(new ArrayList<Object>(blocks)))
          .put("stop_reason", stopReason).put("stop_sequence", reply.stopSequence)
          .put("usage", usage(input, cacheRead, cacheWrite, output));
      return Rendered.json(200, headers, message);
    }
    List<Buffer> events = new ArrayList<>();
    events.add(event(new JsonObject().put("type", "message_start").put("message", new JsonObject()
        .put("id", id).put("type", "message").put("role", "assistant").put("model", model)
        .put("content", new JsonArray()).put("stop_reason", null).put("stop_sequence", null)
        .put("usage", usage(input, cacheRead, cacheWrite, 1)))));
    if (blocks.isEmpty()) {
      events.add(ping());
    }
    int toolIndex = 0;
    for (int index = 0; index < blocks.size(); index++) {
      JsonObject block = blocks.get(index);
      String type = block.getString("type");
      JsonObject start;
      List<JsonObject> deltas = new ArrayList<>();
      if ("thinking".equals(type)) {
        start = new JsonObject().put("type", "thinking").put("thinking", "").put("signature", "");
        for (String word : Frames.words(block.getString("thinking"))) {
          deltas.add(new JsonObject().put("type", "thinking_delta").put("thinking", word));
        }
        deltas.add(new JsonObject().put("type", "signature_delta").put("signature", block.getString("signature")));
      } else if ("text".equals(type)) {
        start = new JsonObject().put("type", "text").put("text", "");
        for (String word : Frames.words(block.getString("text"))) {
          deltas.add(new JsonObject().put("type", "text_delta").put("text", word));
        }
      } else {
        start = new JsonObject().put("type", "tool_use").put("id", block.getString("id"))
            .put("name", block.getString("name")).put("input", new JsonObject());
        deltas.add(new JsonObject().put("type", "input_json_delta").put("partial_json", ""));
        for (String piece : Frames.pieces(argumentTexts.get(toolIndex++))) {
          deltas.add(new JsonObject().put("type", "input_json_delta").put("partial_json", piece));
        }
      }
      events.add(event(new JsonObject().put("type", "content_block_start").put("index", index)
          .put("content_block", start)));
      if (index == 0) {
        events.add(ping());
      }
      for (JsonObject delta : deltas) {
        events.add(event(new JsonObject().put("type", "content_block_delta").put("index", index)
            .put("delta", delta)));
      }
      events.add(event(new JsonObject().put("type", "content_block_stop").put("index", index)));
    }
    events.add(event(new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason).put("stop_sequence", reply.stopSequence))
        .put("usage", new JsonObject().put("output_tokens", output))));
    events.add(event(new JsonObject().put("type", "message_stop")));
    if (reply.midStreamError != null) {
      int after = Math.min(reply.midStreamError.afterEvents(), events.size());
      events = new ArrayList<>(events.subList(0, after));
      events.add(event(errorBody(reply.midStreamError.type(), reply.midStreamError.message())));
    }
    return Rendered.stream(headers, events);
  }

  private static Object parseInput(String argumentsJson) {
    try {
      return Json.decodeValue(argumentsJson);
    } catch (DecodeException e) {
      return argumentsJson;
    }
  }

  /**
   * The prompt as cache segments: each tool, each system block, each message content block (with its
   * role), encoded without {@code cache_control}; a block with {@code cache_control} is a breakpoint.
   */
  static List<PromptCache.Segment> segments(JsonObject body) {
    List<PromptCache.Segment> segments = new ArrayList<>();
    Object tools = body.getValue("tools");
    if (tools instanceof JsonArray) {
      for (Object tool : (JsonArray) tools) {
        segments.add(segment("tool", (JsonObject) tool));
      }
    }
    Object system = body.getValue("system");
    if (system instanceof String) {
      segments.add(new PromptCache.Segment("system " + textBlock((String) system).encode(), 0));
    } else if (system instanceof JsonArray) {
      for (Object block : (JsonArray) system) {
        segments.add(segment("system", (JsonObject) block));
      }
    }
    for (Object value : body.getJsonArray("messages")) {
      JsonObject message = (JsonObject) value;
      String role = message.getString("role");
      Object content = message.getValue("content");
      if (content instanceof String) {
        segments.add(new PromptCache.Segment(role + " " + textBlock((String) content).encode(), 0));
      } else {
        for (Object block : (JsonArray) content) {
          segments.add(segment(role, (JsonObject) block));
        }
      }
    }
    return segments;
  }

  private static PromptCache.Segment segment(String label, JsonObject block) {
    JsonObject copy = block.copy();
    Object cacheControl = copy.remove("cache_control");
    long ttl = 0;
    if (cacheControl instanceof JsonObject) {
      ttl = "1h".equals(((JsonObject) cacheControl).getValue("ttl")) ? PromptCache.LONG_TTL_MS
          : PromptCache.DEFAULT_TTL_MS;
    }
    return new PromptCache.Segment(label + " " + copy.encode(), ttl);
  }

  private static JsonObject textBlock(String text) {
    return new JsonObject().put("type", "text").put("text", text);
  }

  private static JsonObject usage(int input, int cacheRead, int cacheWrite, int output) {
    return new JsonObject().put("input_tokens", input).put("cache_creation_input_tokens", cacheWrite)
        .put("cache_read_input_tokens", cacheRead)
        .put("cache_creation", new JsonObject().put("ephemeral_5m_input_tokens", cacheWrite)
            .put("ephemeral_1h_input_tokens", 0))
        .put("output_tokens", output).put("service_tier", "standard");
  }

  private static String stopReason(Reply reply) {
    if (reply.stopReason == null) {
      return reply.toolCalls.isEmpty() ? "end_turn" : "tool_use";
    }
    switch (reply.stopReason) {
      case "stop":
        return "end_turn";
      case "length":
        return "max_tokens";
      case "tool_calls":
        return "tool_use";
      case "content_filter":
        return "refusal";
      default:
        return reply.stopReason;
    }
  }

  private static JsonObject errorBody(String type, String message) {
    return new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", errorType(type)).put("message", message));
  }

  private static String errorType(String type) {
    if (ANTHROPIC_ERROR_TYPES.contains(type)) {
      return type;
    }
    switch (type) {
      case "rate_limit_exceeded":
      case "requests":
      case "tokens":
        return "rate_limit_error";
      case "invalid_api_key":
        return "authentication_error";
      case "insufficient_quota":
        return "billing_error";
      case "server_error":
        return "api_error";
      case "model_not_found":
        return "not_found_error";
      case "context_length_exceeded":
        return "invalid_request_error";
      default:
        return type;
    }
  }

  private static Buffer event(JsonObject data) {
    return Frames.event(data.getString("type"), data.encode());
  }

  private static Buffer ping() {
    return Frames.event("ping", "{\"type\": \"ping\"}");
  }

  private MultiMap headers(String apiKey, int tokens) {
    int[] remaining = state.consume(apiKey, tokens);
    String reset = Instant.ofEpochMilli(state.nowMillis()).plusSeconds(1).truncatedTo(ChronoUnit.SECONDS).toString();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .set("request-id", requestId())
        .set("anthropic-organization-id", "00000000-0000-4000-8000-00000000fa4e")
        .set("anthropic-ratelimit-requests-limit", String.valueOf(UpstreamState.REQUESTS_LIMIT))
        .set("anthropic-ratelimit-requests-remaining", String.valueOf(remaining[0]))
        .set("anthropic-ratelimit-requests-reset", reset);
    for (String kind : List.of("tokens", "input-tokens", "output-tokens")) {
      headers.set("anthropic-ratelimit-" + kind + "-limit", String.valueOf(UpstreamState.TOKENS_LIMIT))
          .set("anthropic-ratelimit-" + kind + "-remaining", String.valueOf(remaining[1]))
          .set("anthropic-ratelimit-" + kind + "-reset", reset);
    }
    return headers;
  }

  private String requestId() {
    return String.format("req_011CFAKE%016d", state.nextSequence());
  }

  private Admission reject(int status, String type, String message) {
    String requestId = requestId();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().set("request-id", requestId);
    return Admission.rejected(Rendered.json(status, headers,
        errorBody(type, message).put("request_id", requestId)));
  }
}
