package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code POST /v1/responses}, as OpenAI's Responses API answers it: a {@code response} object, or with
 * {@code "stream": true} its semantic SSE events ({@code event: <type>} and a {@code sequence_number} on each):
 * {@code response.created}, {@code response.in_progress}, per output item {@code response.output_item.added} ...
 * {@code response.output_item.done} (message: {@code content_part.added}, {@code output_text.delta}s,
 * {@code output_text.done}, {@code content_part.done}; function call: {@code function_call_arguments.delta}s and
 * {@code .done}; custom tool call: {@code custom_tool_call_input.delta}s and {@code .done}; web search:
 * {@code web_search_call.in_progress}, {@code .searching}, {@code .completed}; reasoning: its summary part and text
 * events when it has a summary), then {@code response.completed}.
 *
 * <p>What it produces: a {@code web_search_call} item first when a {@code web_search} tool is offered (its query the
 * last user text), a {@code reasoning} item when the reply has thinking or reasoning tokens or the request includes
 * {@code reasoning.encrypted_content} (then with {@code encrypted_content} {@value #ENCRYPTED_PREFIX}...), the text as
 * a {@code message} with {@code output_text}, and each scripted tool call as a {@code function_call} or, when the
 * request offers a custom tool of that name, a {@code custom_tool_call} whose {@code input} is the scripted arguments
 * text. {@code background: true} (which needs {@code store} left true, else 400 on {@code store}) answers
 * {@code status: "queued"} at once, without output or usage, unless streamed (then the run streams as usual, its
 * response objects saying {@code background: true}). Usage:
 * {@code input_tokens} ceil(chars/4) of the input and tools as received (or the scripted usage, cached reads in
 * {@code input_tokens_details.cached_tokens}), {@code output_tokens} those of the output plus the scripted reasoning
 * tokens, which {@code output_tokens_details.reasoning_tokens} reports.
 *
 * <p>Validation as OpenAI does it: the key, {@code model}, {@code input} a string or an array of items of known
 * types, reasoning items' {@code encrypted_content} minted by this fake (else 400 {@code invalid_encrypted_content}),
 * {@code item_reference} and {@code previous_response_id} ids this fake issued (else 404/400), known tool types.
 *
 * <p><b>Stored responses</b> ({@code store} not false), readable by the key that created them (any other key, or an
 * unknown id: 404 {@code Response with id '...' not found.}): {@code GET /v1/responses/{id}} returns the object. A
 * background one is {@code queued} when created, {@code in_progress} for the first {@link #backgroundPolls} reads
 * (default 2), then {@code completed} with its output and usage (the reply it took when created); its rate-limit tokens count
 * when it completes. {@code POST /v1/responses/{id}/cancel} makes a background response that is not finished
 * {@code cancelled} (no output, usage null), returns a finished one as it is (cancelling twice is harmless), and refuses
 * a response that was not created in the background (400 {@code Cannot cancel a synchronous response.}).
 */
final class ResponsesRoute implements Route {

  static final String ENCRYPTED_PREFIX = "fake-enc:";

  private static final Set<String> ITEM_TYPES = Set.of("message", "function_call", "function_call_output", "custom_tool_call",
      "custom_tool_call_output", "reasoning", "item_reference", "web_search_call", "file_search_call", "computer_call",
      "computer_call_output", "local_shell_call", "local_shell_call_output", "code_interpreter_call", "image_generation_call");
  private static final Set<String> TOOL_TYPES = Set.of("function", "custom", "web_search", "web_search_preview", "file_search",
      "code_interpreter", "image_generation", "local_shell", "computer_use_preview", "mcp");

  private final OpenAiRoute openAi;
  private final UpstreamState state;
  private final Set<String> issued = ConcurrentHashMap.newKeySet();
  private final Map<String, Stored> stored = new ConcurrentHashMap<>();
  private final AtomicInteger backgroundPolls = new AtomicInteger(2);

  ResponsesRoute(OpenAiRoute openAi, UpstreamState state) {
    this.openAi = openAi;
    this.state = state;
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
    Admission problem = validate(body);
    return problem != null ? problem : Admission.accepted(body, caller.apiKey());
  }

  private Admission validate(JsonObject body) {
    if (!(body.getValue("model") instanceof String model) || model.isEmpty()) {
      return openAi.reject(400, OpenAiRoute.invalid("Missing required parameter: 'model'.", "model", "missing_required_parameter"));
    }
    if (Boolean.TRUE.equals(body.getValue("background")) && Boolean.FALSE.equals(body.getValue("store"))) {
      return openAi.reject(400, OpenAiRoute.invalid("Background mode requires `store` to be true.", "store", "invalid_value"));
    }
    Object previous = body.getValue("previous_response_id");
    if (previous != null && !issued.contains(previous)) {
      return openAi.reject(400, OpenAiRoute.invalid("Previous response with id '" + previous + "' not found.", "previous_response_id",
          "previous_response_not_found"));
    }
    Object input = body.getValue("input");
    if (input instanceof JsonArray items) {
      for (int i = 0; i < items.size(); i++) {
        if (!(items.getValue(i) instanceof JsonObject item)) {
          return openAi.reject(400, OpenAiRoute.invalid("Invalid type for 'input[" + i + "]': expected an object.", "input[" + i + "]",
              "invalid_type"));
        }
        String type = item.getString("type", "message");
        if (!ITEM_TYPES.contains(type)) {
          return openAi.reject(400, OpenAiRoute.invalid("Invalid value: '" + type + "'.", "input[" + i + "].type", "invalid_value"));
        }
        if (type.equals("reasoning") && item.getValue("encrypted_content") instanceof String content && !content.startsWith(ENCRYPTED_PREFIX)) {
          return openAi.reject(400, OpenAiRoute.invalid("The encrypted content for item input[" + i + "] could not be verified.",
              null, "invalid_encrypted_content"));
        }
        if (type.equals("item_reference") && !issued.contains(item.getValue("id"))) {
          return openAi.reject(404, OpenAiRoute.invalid("Item with id '" + item.getValue("id") + "' not found.", "input", null));
        }
      }
    } else if (!(input instanceof String) && body.getValue("prompt") == null && body.getValue("conversation") == null) {
      return openAi.reject(400, OpenAiRoute.invalid("Missing required parameter: 'input'.", "input", "missing_required_parameter"));
    }
    if (body.getValue("tools") instanceof JsonArray tools) {
      for (int i = 0; i < tools.size(); i++) {
        Object type = tools.getValue(i) instanceof JsonObject tool ? tool.getValue("type") : null;
        if (!TOOL_TYPES.contains(type)) {
          return openAi.reject(400, OpenAiRoute.invalid("Invalid value: '" + type + "'.", "tools[" + i + "].type", "invalid_value"));
        }
      }
    }
    return null;
  }

  @Override
  public Reply defaultReply(JsonObject body) {
    return Reply.text("echo: " + lastUserText(body));
  }

  private static String lastUserText(JsonObject body) {
    Object input = body.getValue("input");
    if (input instanceof String text) {
      return text;
    }
    String last = "";
    if (input instanceof JsonArray items) {
      for (Object value : items) {
        if (value instanceof JsonObject item && "user".equals(item.getValue("role"))) {
          Object content = item.getValue("content");
          if (content instanceof String text) {
            last = text;
          } else if (content instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (Object part : parts) {
              if (part instanceof JsonObject p && "input_text".equals(p.getValue("type"))) {
                text.append(p.getString("text", ""));
              }
            }
            last = text.toString();
          }
        }
      }
    }
    return last;
  }

  @Override
  public Rendered render(Admission admitted, Reply reply) {
    if (reply.kind != Reply.Kind.CONTENT) {
      return openAi.render(admitted, reply);
    }
    JsonObject body = admitted.body();
    String id = String.format("resp_FAKE%020d", state.nextSequence());
    issued.add(id);
    long created = state.nowMillis() / 1000;
    JsonObject response = skeleton(id, created, body, reply);
    boolean background = Boolean.TRUE.equals(body.getValue("background"));
    boolean kept = !Boolean.FALSE.equals(body.getValue("store"));
    if (background) {
      response.put("background", true);
    }
    List<JsonObject> output = output(body, reply);
    int inputTokens = Tokens.atLeastOne(body.getValue("input", "").toString().length() + body.getValue("tools", "").toString().length());
    int cached = 0;
    int outputChars = (reply.text == null ? 0 : reply.text.length()) + (reply.thinking == null ? 0 : reply.thinking.length());
    for (Reply.ToolCall call : reply.toolCalls) {
      outputChars += call.argumentsJson().length();
    }
    int outputTokens = Tokens.atLeastOne(outputChars);
    if (reply.usage != null) {
      inputTokens = reply.usage.input() + reply.usage.cacheRead() + reply.usage.cacheWrite();
      cached = reply.usage.cacheRead();
      outputTokens = reply.usage.output();
    }
    outputTokens += reply.reasoningTokens;
    JsonObject usage = new JsonObject().put("input_tokens", inputTokens)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", cached))
        .put("output_tokens", outputTokens)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", reply.reasoningTokens))
        .put("total_tokens", inputTokens + outputTokens);
    JsonObject done = response.copy().put("status", "completed").put("output", new JsonArray(new ArrayList<Object>(output)))
        .put("usage", usage);
    if (background && !Boolean.TRUE.equals(body.getValue("stream"))) {
      JsonObject queued = response.copy().put("status", "queued");
      stored.put(id, new Stored(admitted.apiKey(), true, queued, done, inputTokens + outputTokens));
      return Rendered.json(200, openAi.headers(admitted.apiKey(), 0), queued);
    }
    MultiMap headers = openAi.headers(admitted.apiKey(), inputTokens + outputTokens);
    if (kept) {
      stored.put(id, new Stored(admitted.apiKey(), background, done, done, 0));
    }
    if (!Boolean.TRUE.equals(body.getValue("stream"))) {
      return Rendered.json(200, headers, done);
    }
    Events events = new Events();
    events.add("response.created", new JsonObject().put("response", response));
    events.add("response.in_progress", new JsonObject().put("response", response));
    for (int index = 0; index < output.size(); index++) {
      if (reply.midStreamError != null && events.size() >= reply.midStreamError.afterEvents()) {
        events.add("error", new JsonObject().put("code", "server_error").put("message", reply.midStreamError.message()).put("param", null));
        return Rendered.stream(headers, events.frames);
      }
      item(events, index, output.get(index));
    }
    events.add("response.completed", new JsonObject().put("response", done));
    return Rendered.stream(headers, events.frames);
  }

  /** How many reads a background response stays {@code in_progress} before it is {@code completed} (at least 0). */
  void backgroundPolls(int polls) {
    backgroundPolls.set(Math.max(0, polls));
  }

  /** {@code GET /v1/responses/{id}}: the stored object, a background one a step further along. */
  Rendered retrieve(RecordedRequest request, String id) {
    Admission caller = openAi.authenticate(request);
    if (caller.rejection() != null) {
      return caller.rejection();
    }
    Stored found = stored.get(id);
    if (found == null || !found.apiKey.equals(caller.apiKey())) {
      return notFound(id);
    }
    return Rendered.json(200, openAi.headers(caller.apiKey(), found.poll(backgroundPolls.get())), found.current());
  }

  /** {@code POST /v1/responses/{id}/cancel}. */
  Rendered cancel(RecordedRequest request, String id) {
    Admission caller = openAi.authenticate(request);
    if (caller.rejection() != null) {
      return caller.rejection();
    }
    Stored found = stored.get(id);
    if (found == null || !found.apiKey.equals(caller.apiKey())) {
      return notFound(id);
    }
    if (!found.background) {
      return openAi.reject(400, OpenAiRoute.invalid("Cannot cancel a synchronous response.", null, null)).rejection();
    }
    return Rendered.json(200, openAi.headers(caller.apiKey(), 0), found.cancel());
  }

  private Rendered notFound(String id) {
    return openAi.reject(404, OpenAiRoute.invalid("Response with id '" + id + "' not found.", null, null)).rejection();
  }

  /**
   * One stored response and, for a background one, how far it has run; its methods are synchronized because reads of
   * it may arrive on several event loops at once.
   */
  private static final class Stored {
    final String apiKey;
    final boolean background;
    private final JsonObject finished;
    private final int tokens;
    private JsonObject current;
    private int reads;

    Stored(String apiKey, boolean background, JsonObject current, JsonObject finished, int tokens) {
      this.apiKey = apiKey;
      this.background = background;
      this.current = current;
      this.finished = finished;
      this.tokens = tokens;
    }

    /** One more read: in progress for the first {@code polls} reads, then completed; the tokens it charges now. */
    synchronized int poll(int polls) {
      String status = current.getString("status");
      if (!"queued".equals(status) && !"in_progress".equals(status)) {
        return 0;
      }
      reads++;
      if (reads > polls) {
        current = finished;
        return tokens;
      }
      current = current.copy().put("status", "in_progress");
      return 0;
    }

    synchronized JsonObject current() {
      return current;
    }

    synchronized JsonObject cancel() {
      String status = current.getString("status");
      if ("queued".equals(status) || "in_progress".equals(status)) {
        current = current.copy().put("status", "cancelled");
      }
      return current;
    }
  }

  private JsonObject skeleton(String id, long created, JsonObject body, Reply reply) {
    return new JsonObject().put("id", id).put("object", "response").put("created_at", created).put("status", "in_progress")
        .put("background", false).put("error", null).put("incomplete_details", null)
        .put("instructions", body.getValue("instructions")).put("max_output_tokens", body.getValue("max_output_tokens"))
        .put("model", reply.model != null ? reply.model : body.getString("model")).put("output", new JsonArray())
        .put("parallel_tool_calls", body.getValue("parallel_tool_calls", true))
        .put("previous_response_id", body.getValue("previous_response_id"))
        .put("reasoning", body.getValue("reasoning", new JsonObject().put("effort", null).put("summary", null)))
        .put("store", body.getValue("store", true)).put("temperature", body.getValue("temperature", 1.0))
        .put("text", new JsonObject().put("format", new JsonObject().put("type", "text")))
        .put("tool_choice", body.getValue("tool_choice", "auto")).put("tools", body.getValue("tools", new JsonArray()))
        .put("top_p", body.getValue("top_p", 1.0)).put("truncation", "disabled").put("usage", null)
        .put("user", body.getValue("user")).put("metadata", body.getValue("metadata", new JsonObject()));
  }

  /** The answer's output items, complete. */
  private List<JsonObject> output(JsonObject body, Reply reply) {
    List<JsonObject> output = new ArrayList<>();
    JsonArray tools = body.getValue("tools") instanceof JsonArray t ? t : new JsonArray();
    Set<String> custom = new java.util.HashSet<>();
    boolean webSearch = false;
    for (Object tool : tools) {
      JsonObject t = (JsonObject) tool;
      if ("custom".equals(t.getValue("type"))) {
        custom.add(t.getString("name"));
      }
      webSearch |= String.valueOf(t.getValue("type")).startsWith("web_search");
    }
    if (webSearch) {
      output.add(new JsonObject().put("id", issue("ws")).put("type", "web_search_call").put("status", "completed")
          .put("action", new JsonObject().put("type", "search").put("query", lastUserText(body))));
    }
    JsonArray include = body.getValue("include") instanceof JsonArray i ? i : new JsonArray();
    boolean encrypted = include.contains("reasoning.encrypted_content");
    if (encrypted || reply.thinking != null || reply.reasoningTokens > 0) {
      String rid = issue("rs");
      JsonArray summary = new JsonArray();
      if (reply.thinking != null) {
        summary.add(new JsonObject().put("type", "summary_text").put("text", reply.thinking));
      }
      JsonObject reasoning = new JsonObject().put("id", rid).put("type", "reasoning").put("summary", summary);
      if (encrypted) {
        reasoning.put("encrypted_content", ENCRYPTED_PREFIX + Base64.getEncoder().encodeToString(rid.getBytes(StandardCharsets.UTF_8)));
      }
      output.add(reasoning);
    }
    if (reply.text != null) {
      JsonArray annotations = new JsonArray();
      if (webSearch) {
        annotations.add(new JsonObject().put("type", "url_citation").put("start_index", 0).put("end_index", reply.text.length())
            .put("url", "https://example.com/result").put("title", "Result"));
      }
      output.add(new JsonObject().put("id", issue("msg")).put("type", "message").put("status", "completed").put("role", "assistant")
          .put("content", new JsonArray().add(new JsonObject().put("type", "output_text").put("text", reply.text)
              .put("annotations", annotations).put("logprobs", new JsonArray()))));
    }
    for (Reply.ToolCall call : reply.toolCalls) {
      String callId = call.id() != null ? call.id() : String.format("call_FAKE%019d", state.nextSequence());
      if (custom.contains(call.name())) {
        output.add(new JsonObject().put("id", issue("ctc")).put("type", "custom_tool_call").put("status", "completed")
            .put("call_id", callId).put("input", call.argumentsJson()).put("name", call.name()));
      } else {
        output.add(new JsonObject().put("id", issue("fc")).put("type", "function_call").put("status", "completed")
            .put("arguments", call.argumentsJson()).put("call_id", callId).put("name", call.name()));
      }
    }
    return output;
  }

  private String issue(String prefix) {
    String id = String.format("%s_FAKE%020d", prefix, state.nextSequence());
    issued.add(id);
    return id;
  }

  /** The stream events of one complete output item. */
  private static void item(Events events, int index, JsonObject item) {
    String id = item.getString("id");
    JsonObject ref = new JsonObject().put("item_id", id).put("output_index", index);
    switch (item.getString("type")) {
      case "message" -> {
        JsonObject part = item.getJsonArray("content").getJsonObject(0);
        String text = part.getString("text");
        events.add("response.output_item.added", new JsonObject().put("output_index", index)
            .put("item", item.copy().put("status", "in_progress").put("content", new JsonArray())));
        JsonObject empty = part.copy().put("text", "").put("annotations", new JsonArray());
        events.add("response.content_part.added", ref.copy().put("content_index", 0).put("part", empty));
        for (String word : Frames.words(text)) {
          events.add("response.output_text.delta", ref.copy().put("content_index", 0).put("delta", word).put("logprobs", new JsonArray()));
        }
        events.add("response.output_text.done", ref.copy().put("content_index", 0).put("text", text).put("logprobs", new JsonArray()));
        events.add("response.content_part.done", ref.copy().put("content_index", 0).put("part", part));
      }
      case "function_call" -> {
        events.add("response.output_item.added", new JsonObject().put("output_index", index)
            .put("item", item.copy().put("status", "in_progress").put("arguments", "")));
        for (String piece : Frames.pieces(item.getString("arguments"))) {
          events.add("response.function_call_arguments.delta", ref.copy().put("delta", piece));
        }
        events.add("response.function_call_arguments.done", ref.copy().put("arguments", item.getString("arguments")));
      }
      case "custom_tool_call" -> {
        events.add("response.output_item.added", new JsonObject().put("output_index", index)
            .put("item", item.copy().put("status", "in_progress").put("input", "")));
        for (String piece : Frames.pieces(item.getString("input"))) {
          events.add("response.custom_tool_call_input.delta", ref.copy().put("delta", piece));
        }
        events.add("response.custom_tool_call_input.done", ref.copy().put("input", item.getString("input")));
      }
      case "web_search_call" -> {
        events.add("response.output_item.added", new JsonObject().put("output_index", index)
            .put("item", new JsonObject().put("id", id).put("type", "web_search_call").put("status", "in_progress")
                .put("action", new JsonObject().put("type", "search"))));
        events.add("response.web_search_call.in_progress", ref.copy());
        events.add("response.web_search_call.searching", ref.copy());
        events.add("response.web_search_call.completed", ref.copy());
      }
      default -> {
        events.add("response.output_item.added", new JsonObject().put("output_index", index)
            .put("item", item.copy().put("summary", new JsonArray()).put("encrypted_content", null)));
        JsonArray summary = item.getJsonArray("summary");
        if (!summary.isEmpty()) {
          JsonObject text = summary.getJsonObject(0);
          events.add("response.reasoning_summary_part.added", ref.copy().put("summary_index", 0)
              .put("part", text.copy().put("text", "")));
          events.add("response.reasoning_summary_text.delta", ref.copy().put("summary_index", 0).put("delta", text.getString("text")));
          events.add("response.reasoning_summary_text.done", ref.copy().put("summary_index", 0).put("text", text.getString("text")));
          events.add("response.reasoning_summary_part.done", ref.copy().put("summary_index", 0).put("part", text));
        }
      }
    }
    events.add("response.output_item.done", new JsonObject().put("output_index", index).put("item", item));
  }

  /** SSE frames numbered by {@code sequence_number}. */
  private static final class Events {
    final List<Buffer> frames = new ArrayList<>();

    void add(String type, JsonObject fields) {
      JsonObject event = new JsonObject().put("type", type).put("sequence_number", frames.size());
      fields.forEach(e -> event.put(e.getKey(), e.getValue()));
      frames.add(Frames.event(type, event.encode()));
    }

    int size() {
      return frames.size();
    }
  }
}
