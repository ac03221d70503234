package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolChoice;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a unified request as an upstream Anthropic Messages body. Deterministic: the same request always
 * gives the same bytes, with fields in a fixed order and tools, system blocks and messages in request order.
 */
final class RequestEncoder {

  private final BlockWriter blocks = new BlockWriter();

  JsonObject encode(UnifiedRequest req, String upstreamModel) {
    Integer budget = thinkingBudget(req.reasoning());
    JsonObject body = new JsonObject()
        .put("model", upstreamModel)
        .put("max_tokens", maxTokens(req, budget));
    if (!req.system().isEmpty()) {
      body.put("system", system(req.system()));
    }
    body.put("messages", messages(req.messages()));
    if (!req.tools().isEmpty()) {
      body.put("tools", tools(req.tools()));
      if (req.toolChoice() != null) {
        body.put("tool_choice", toolChoice(req.toolChoice()));
      }
    }
    putIfSet(body, "temperature", req.temperature());
    putIfSet(body, "top_p", req.topP());
    putIfSet(body, "top_k", req.topK());
    if (!req.stop().isEmpty()) {
      body.put("stop_sequences", new JsonArray(new ArrayList<Object>(req.stop())));
    }
    if (budget != null) {
      body.put("thinking", new JsonObject().put("type", "enabled").put("budget_tokens", budget));
    }
    if (req.user() != null) {
      body.put("metadata", new JsonObject().put("user_id", req.user()));
    }
    if (req.stream()) {
      body.put("stream", true);
    }
    return body;
  }

  /**
   * The client's cap, or {@link AnthropicRequestCodec#DEFAULT_MAX_TOKENS} when it set none. When the
   * thinking budget was derived (from a reasoning effort, a dynamic budget, or one raised to Anthropic's minimum) and
   * does not fit under the cap, the cap is raised to budget + cap, so the visible answer keeps the room the client
   * asked for.
   */
  private static int maxTokens(UnifiedRequest req, Integer budget) {
    int max = req.maxTokens() != null ? req.maxTokens() : AnthropicRequestCodec.DEFAULT_MAX_TOKENS;
    Integer asked = req.reasoning() == null ? null : req.reasoning().budgetTokens();
    boolean derived = req.reasoning() != null && (asked == null || asked < AnthropicRequestCodec.MIN_THINKING_BUDGET);
    if (derived && budget != null && max <= budget) {
      return budget + max;
    }
    return max;
  }

  /**
   * The explicit budget (at least Anthropic's minimum; 0 is no thinking, -1, "the model decides", the medium budget),
   * else one derived from an OpenAI-style effort; {@code null} for no thinking.
   */
  static Integer thinkingBudget(UnifiedRequest.Reasoning reasoning) {
    if (reasoning == null) {
      return null;
    }
    if (reasoning.budgetTokens() != null) {
      int budget = reasoning.budgetTokens();
      return budget == 0 ? null : budget < 0 ? AnthropicRequestCodec.MEDIUM_EFFORT_BUDGET
          : Math.max(AnthropicRequestCodec.MIN_THINKING_BUDGET, budget);
    }
    if (reasoning.effort() == null) {
      return null;
    }
    return switch (reasoning.effort()) {
      case "minimal", "low" -> AnthropicRequestCodec.LOW_EFFORT_BUDGET;
      case "medium" -> AnthropicRequestCodec.MEDIUM_EFFORT_BUDGET;
      case "high" -> AnthropicRequestCodec.HIGH_EFFORT_BUDGET;
      default -> null;
    };
  }

  private static Object system(List<ContentBlock.Text> system) {
    if (system.size() == 1 && system.get(0).cacheControl() == null) {
      return system.get(0).text();
    }
    JsonArray array = new JsonArray();
    for (ContentBlock.Text block : system) {
      JsonObject json = new JsonObject().put("type", "text").put("text", block.text());
      if (block.cacheControl() != null) {
        json.put("cache_control", block.cacheControl());
      }
      array.add(json);
    }
    return array;
  }

  private JsonArray messages(List<Message> messages) {
    JsonArray array = new JsonArray();
    for (Message message : TurnMerger.merge(messages)) {
      array.add(new JsonObject()
          .put("role", message.role() == Role.USER ? "user" : "assistant")
          .put("content", blocks.content(message.content())));
    }
    return array;
  }

  private static JsonArray tools(List<ToolDefinition> tools) {
    JsonArray array = new JsonArray();
    for (ToolDefinition tool : tools) {
      JsonObject json = new JsonObject().put("name", tool.name());
      if (tool.description() != null) {
        json.put("description", tool.description());
      }
      json.put("input_schema", tool.inputSchema());
      if (tool.cacheControl() != null) {
        json.put("cache_control", tool.cacheControl());
      }
      array.add(json);
    }
    return array;
  }

  private static JsonObject toolChoice(ToolChoice choice) {
    JsonObject json = new JsonObject();
    switch (choice.mode()) {
      case AUTO -> json.put("type", "auto");
      case ANY -> json.put("type", "any");
      case NONE -> json.put("type", "none");
      case TOOL -> json.put("type", "tool").put("name", choice.name());
      default -> throw new IllegalStateException("unknown tool choice " + choice.mode());
    }
    if (choice.disableParallel() && choice.mode() != ToolChoice.Mode.NONE) {
      json.put("disable_parallel_tool_use", true);
    }
    return json;
  }

  private static void putIfSet(JsonObject body, String key, Object value) {
    if (value != null) {
      body.put(key, value);
    }
  }
}
