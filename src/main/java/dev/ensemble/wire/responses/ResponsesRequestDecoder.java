package dev.ensemble.wire.responses;

import static dev.ensemble.wire.responses.Fields.objectAt;
import static dev.ensemble.wire.responses.Fields.optArray;
import static dev.ensemble.wire.responses.Fields.optBoolean;
import static dev.ensemble.wire.responses.Fields.optNumber;
import static dev.ensemble.wire.responses.Fields.optObject;
import static dev.ensemble.wire.responses.Fields.optPositiveInteger;
import static dev.ensemble.wire.responses.Fields.optString;
import static dev.ensemble.wire.responses.Fields.path;
import static dev.ensemble.wire.responses.Fields.requireString;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.wire.ClientCall;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.TreeMap;

/**
 * A {@code POST /v1/responses} body as a {@link ClientCall}: {@code input} (a string, or items: {@link InputItems}),
 * {@code instructions} (the first system block), function {@code tools}, {@code tool_choice},
 * {@code parallel_tool_calls}, {@code max_output_tokens}, {@code temperature}, {@code top_p},
 * {@code reasoning.effort}, {@code text.format} (JSON output), {@code user}/{@code safety_identifier}. The call
 * carries {@code store} (default true), {@code previous_response_id}, {@code prompt_cache_key} as the session key,
 * and the fields the response object repeats ({@code instructions}, {@code metadata}, {@code tools}, ...) plus the
 * input items themselves (what the conversation stored with the answer starts from).
 *
 * <p>What only OpenAI's own Responses API serves — built-in tools ({@code web_search}, {@code file_search},
 * {@code code_interpreter}, {@code local_shell}, ...), {@code background: true} (with {@code store}: a non-streamed one is
 * polled later through the gateway, see {@link Background}), stored prompts ({@code prompt}),
 * server-side {@code conversation}s, item references, uploaded files, {@code include}s other than encrypted
 * reasoning — makes the call a required {@link dev.ensemble.model.Passthrough}: routing sends it as is to an OpenAI
 * target of the model, or answers 400 naming the field when the model has none ({@link NativeNeeds}). Custom tools
 * ({@link CustomTools}) and encrypted reasoning ({@link EncryptedReasoning}) make it a preferred one.
 */
final class ResponsesRequestDecoder {

  /** Request fields that need OpenAI's server-side state, with why. */
  private static final Map<String, String> OPENAI_STATE = Map.of(
      "prompt", "stored prompts live in OpenAI's prompt library",
      "conversation", "conversations live in OpenAI's conversation store (continue Ensemble's own with previous_response_id)");

  ClientCall decode(JsonObject body) {
    RequestRules.check(body);
    UnifiedRequest.Builder builder = UnifiedRequest.builder(requireString(body, "model", null));
    NativeNeeds needs = new NativeNeeds();
    for (Map.Entry<String, String> field : new TreeMap<>(OPENAI_STATE).entrySet()) {
      if (body.getValue(field.getKey()) != null) {
        needs.require(field.getKey(), field.getValue());
      }
    }
    if (Boolean.TRUE.equals(optBoolean(body, "background", null))) {
      if (Boolean.FALSE.equals(body.getValue("store"))) {
        throw GatewayError.invalid("store", "background mode needs store: true (the response is polled later with GET)");
      }
      needs.require("background", "background mode runs the response on OpenAI's side");
    }
    String instructions = optString(body, "instructions", null);
    if (instructions != null && !instructions.isEmpty()) {
      builder.system(ContentBlock.Text.of(instructions));
    }
    JsonArray items = body.getValue("input") == null && needs.required() ? new JsonArray() : inputItems(body.getValue("input"));
    InputItems.decode(items, builder, needs);
    JsonArray customTools = tools(body, builder, needs);
    builder.maxTokens(optPositiveInteger(body, "max_output_tokens"))
        .temperature(optNumber(body, "temperature", 0, 2))
        .topP(optNumber(body, "top_p", 0, 1))
        .user(user(body))
        .responseFormat(responseFormat(optObject(body, "text", null)));
    JsonObject reasoning = optObject(body, "reasoning", null);
    String effort = reasoning == null ? null : optString(reasoning, "effort", "reasoning");
    if (effort != null) {
      builder.reasoning(new UnifiedRequest.Reasoning(null, effort));
    }
    boolean stream = Boolean.TRUE.equals(optBoolean(body, "stream", null));
    builder.stream(stream).includeUsage(stream);
    JsonObject metadata = optObject(body, "metadata", null);
    Boolean store = optBoolean(body, "store", null);
    String previous = optString(body, "previous_response_id", null);
    String cacheKey = optString(body, "prompt_cache_key", null);
    JsonArray include = optArray(body, "include", null);
    include(include, needs);
    JsonObject echo = new JsonObject()
        .put("instructions", instructions)
        .put("max_output_tokens", body.getValue("max_output_tokens"))
        .put("metadata", metadata == null ? new JsonObject() : metadata)
        .put("parallel_tool_calls", body.getValue("parallel_tool_calls", true))
        .put("previous_response_id", previous)
        .put("prompt_cache_key", cacheKey)
        .put("reasoning", new JsonObject().put("effort", effort).put("summary", reasoning == null ? null : reasoning.getValue("summary")))
        .put("store", store == null || store)
        .put("temperature", body.getValue("temperature", 1.0))
        .put("text", body.getValue("text", new JsonObject().put("format", new JsonObject().put("type", "text"))))
        .put("tool_choice", body.getValue("tool_choice", "auto"))
        .put("tools", body.getValue("tools", new JsonArray()))
        .put("top_p", body.getValue("top_p", 1.0))
        .put("truncation", body.getValue("truncation", "disabled"))
        .put("user", body.getValue("user"))
        .put("include_encrypted_reasoning", include != null && include.contains("reasoning.encrypted_content"))
        .put("custom_tools", customTools)
        .put("input_items", items)
        .put("request_input", items)
        .put("request_body", body);
    UnifiedRequest request = builder.passthrough(needs.passthrough(body, items)).build();
    if (request.messages().isEmpty() && !needs.required()) {
      throw GatewayError.invalid("input", "must hold at least one user message or tool output");
    }
    return new ClientCall(request, cacheKey, previous, store == null || store, echo);
  }

  /** {@code input} as items: a string is one user message. */
  static JsonArray inputItems(Object input) {
    if (input instanceof String text) {
      return new JsonArray().add(new JsonObject().put("role", "user").put("content", text));
    }
    if (input instanceof JsonArray items) {
      return items;
    }
    throw GatewayError.invalid("input", input == null ? "is required" : "must be a string or an array of input items");
  }

  private static String user(JsonObject body) {
    String user = optString(body, "user", null);
    return user != null ? user : optString(body, "safety_identifier", null);
  }

  /** {@code include}: encrypted reasoning is preferred from OpenAI (minted by Ensemble elsewhere); anything else only OpenAI produces. */
  private static void include(JsonArray include, NativeNeeds needs) {
    if (include == null) {
      return;
    }
    for (int i = 0; i < include.size(); i++) {
      Object value = include.getValue(i);
      if ("reasoning.encrypted_content".equals(value)) {
        needs.prefer();
      } else {
        needs.require(path("include", i), "'" + value + "' is output of OpenAI's own Responses API");
      }
    }
  }

  /** The tools as unified function tools; returns the names of the custom tools among them. */
  private static JsonArray tools(JsonObject body, UnifiedRequest.Builder builder, NativeNeeds needs) {
    JsonArray custom = new JsonArray();
    JsonArray tools = optArray(body, "tools", null);
    if (tools != null) {
      for (int i = 0; i < tools.size(); i++) {
        String at = path("tools", i);
        JsonObject tool = objectAt(tools, i, "tools");
        String type = requireString(tool, "type", at);
        switch (type) {
          case "function" -> builder.tool(new ToolDefinition(requireString(tool, "name", at), optString(tool, "description", at),
              optObject(tool, "parameters", at), null));
          case "custom" -> {
            String name = requireString(tool, "name", at);
            needs.prefer();
            custom.add(name);
            builder.tool(new ToolDefinition(name, optString(tool, "description", at),
                CustomTools.parameters(CustomTools.describe(optObject(tool, "format", at))), null));
          }
          default -> needs.require(path(at, "type"), "the built-in tool '" + type + "' runs on OpenAI's side");
        }
      }
    }
    ToolChoice choice = choice(body.getValue("tool_choice"), needs);
    if (Boolean.FALSE.equals(optBoolean(body, "parallel_tool_calls", null))) {
      choice = choice == null ? new ToolChoice(ToolChoice.Mode.AUTO, null, true) : new ToolChoice(choice.mode(), choice.name(), true);
    }
    builder.toolChoice(choice);
    return custom;
  }

  private static ToolChoice choice(Object value, NativeNeeds needs) {
    if (value == null) {
      return null;
    }
    if (value instanceof String mode) {
      return switch (mode) {
        case "auto" -> ToolChoice.auto();
        case "none" -> new ToolChoice(ToolChoice.Mode.NONE, null, false);
        case "required" -> new ToolChoice(ToolChoice.Mode.ANY, null, false);
        default -> throw GatewayError.invalid("tool_choice", "must be 'auto', 'none', 'required' or {\"type\":\"function\",\"name\":...}");
      };
    }
    if (!(value instanceof JsonObject named) || !(named.getValue("type") instanceof String type)) {
      throw GatewayError.invalid("tool_choice", "must be 'auto', 'none', 'required' or {\"type\":\"function\",\"name\":...}");
    }
    if (type.equals("function") || type.equals("custom")) {
      return new ToolChoice(ToolChoice.Mode.TOOL, requireString(named, "name", "tool_choice"), false);
    }
    needs.require("tool_choice.type", "a tool choice of type '" + type + "' names OpenAI's built-in tools");
    return null;
  }

  /** {@code text.format} as the Chat Completions {@code response_format} the unified request carries. */
  private static JsonObject responseFormat(JsonObject text) {
    JsonObject format = text == null ? null : optObject(text, "format", "text");
    if (format == null) {
      return null;
    }
    String type = requireString(format, "type", "text.format");
    return switch (type) {
      case "text" -> null;
      case "json_object" -> new JsonObject().put("type", "json_object");
      case "json_schema" -> {
        JsonObject schema = new JsonObject().put("name", requireString(format, "name", "text.format"))
            .put("schema", optObject(format, "schema", "text.format"));
        if (format.getValue("strict") != null) {
          schema.put("strict", format.getValue("strict"));
        }
        yield new JsonObject().put("type", "json_schema").put("json_schema", schema);
      }
      default -> throw GatewayError.invalid("text.format.type", "must be 'text', 'json_object' or 'json_schema'");
    };
  }
}
