package dev.ensemble.wire.responses;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Renders answers as the Responses API's {@code response} object ({@code object: "response"}) and its output
 * items, the same way for a complete answer and for the {@code response.*} stream events, so a streamed answer's
 * items and ids match the final object's. The id is the gateway's request id (the persisted response id, what
 * {@code previous_response_id} and {@code GET /v1/responses/{id}} take); an output item's id is its kind's prefix
 * ({@code msg_}, {@code fc_}, {@code rs_}), that id and the item's output index.
 *
 * <p>Status: {@code completed}; {@code incomplete} with {@code incomplete_details.reason}
 * {@code max_output_tokens} or {@code content_filter}; {@code failed} for an answer that ended in an error;
 * {@code in_progress} before the end. The last output item of an answer that did not complete (incomplete or failed)
 * is {@code incomplete}, as OpenAI shows the item it was producing when the answer stopped. Usage: {@code input_tokens} is the whole prompt (uncached + cache read +
 * cache write) with the cache reads in {@code input_tokens_details.cached_tokens}; reasoning tokens are counted
 * in {@code output_tokens} and shown in {@code output_tokens_details.reasoning_tokens} (0 when the upstream
 * reported none: Anthropic does not break thinking out of its output tokens). Stateless and thread-safe.
 */
final class ResponseObjects {

  /**
   * The whole object for {@code answer}: the upstream's own object when it came from OpenAI's Responses API as is
   * ({@link #fromNative}), else rendered from the unified answer.
   */
  JsonObject response(UnifiedResponse answer, ResponseContext context) {
    if (answer.nativeBody() != null) {
      return fromNative(answer.nativeBody(), context);
    }
    JsonArray output = new JsonArray();
    int index = 0;
    for (ContentBlock block : answer.content()) {
      JsonObject item = item(block, context.requestId(), index, context.echo());
      if (item != null) {
        output.add(item);
        index++;
      }
    }
    String status = status(answer.stopReason());
    if (!status.equals("completed") && !output.isEmpty() && output.getJsonObject(output.size() - 1).containsKey("status")) {
      output.getJsonObject(output.size() - 1).put("status", "incomplete"); // the item the answer was cut in
    }
    JsonObject response = skeleton(context, status);
    response.put("output", output);
    response.put("incomplete_details", incompleteDetails(answer.stopReason()));
    if (answer.stopReason() == StopReason.ERROR) {
      response.put("error", new JsonObject().put("code", "server_error").put("message", "The answer ended in an error"));
    }
    response.put("usage", answer.stopReason() == null ? null : usage(answer.usage()));
    return response;
  }

  /**
   * An upstream's own {@code response} object as the client is shown it: the gateway's id (what
   * {@code previous_response_id} and {@code GET /v1/responses/{id}} take), the model name the client asked for, and the
   * {@code previous_response_id} the client sent (the upstream got the whole history instead); everything else as is.
   */
  static JsonObject fromNative(JsonObject upstream, ResponseContext context) {
    JsonObject shown = upstream.copy().put("id", context.requestId()).put("model", context.model());
    if (shown.containsKey("previous_response_id") || context.echo().getValue("previous_response_id") != null) {
      shown.put("previous_response_id", context.echo().getValue("previous_response_id"));
    }
    return shown;
  }

  /** The object as {@code response.created} and {@code response.in_progress} show it: nothing produced yet. */
  JsonObject skeleton(ResponseContext context, String status) {
    JsonObject echo = context.echo();
    return new JsonObject()
        .put("id", context.requestId())
        .put("object", "response")
        .put("created_at", context.createdEpochSeconds())
        .put("status", status)
        .put("background", false)
        .put("error", null)
        .put("incomplete_details", null)
        .put("instructions", echo.getValue("instructions"))
        .put("max_output_tokens", echo.getValue("max_output_tokens"))
        .put("metadata", echo.getValue("metadata", new JsonObject()))
        .put("model", context.model())
        .put("output", new JsonArray())
        .put("parallel_tool_calls", echo.getValue("parallel_tool_calls", true))
        .put("previous_response_id", echo.getValue("previous_response_id"))
        .put("prompt_cache_key", echo.getValue("prompt_cache_key"))
        .put("reasoning", echo.getValue("reasoning", new JsonObject().put("effort", null).put("summary", null)))
        .put("service_tier", "default")
        .put("store", echo.getValue("store", true))
        .put("temperature", echo.getValue("temperature", 1.0))
        .put("text", echo.getValue("text", new JsonObject().put("format", new JsonObject().put("type", "text"))))
        .put("tool_choice", echo.getValue("tool_choice", "auto"))
        .put("tools", echo.getValue("tools", new JsonArray()))
        .put("top_p", echo.getValue("top_p", 1.0))
        .put("truncation", echo.getValue("truncation", "disabled"))
        .put("usage", null)
        .put("user", echo.getValue("user"));
  }

  /** One output item, complete, or null for a block the format does not show. */
  static JsonObject item(ContentBlock block, String responseId, int index, JsonObject echo) {
    if (block instanceof ContentBlock.Text text) {
      return message(itemId("msg", responseId, index), "completed").put("content", new JsonArray().add(outputText(text.text())));
    }
    if (block instanceof ContentBlock.ToolUse use && isCustom(use.name(), echo)) {
      return customToolCall(itemId("ctc", responseId, index), use.id(), use.name(), CustomTools.input(use.inputJson()), "completed");
    }
    if (block instanceof ContentBlock.ToolUse use) {
      return functionCall(itemId("fc", responseId, index), use.id(), use.name(), use.inputJson(), "completed");
    }
    if (block instanceof ContentBlock.Thinking thinking) {
      return reasoning(itemId("rs", responseId, index), thinking.thinking(),
          echo.getBoolean("include_encrypted_reasoning", false) ? EncryptedReasoning.mint(thinking) : null);
    }
    return null;
  }

  static String itemId(String prefix, String responseId, int index) {
    return prefix + "_" + responseId + "_" + index;
  }

  static JsonObject message(String id, String status) {
    return new JsonObject().put("id", id).put("type", "message").put("status", status).put("role", "assistant")
        .put("content", new JsonArray());
  }

  static JsonObject outputText(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray()).put("logprobs", new JsonArray());
  }

  static JsonObject functionCall(String id, String callId, String name, String arguments, String status) {
    return new JsonObject().put("id", id).put("type", "function_call").put("status", status).put("arguments", arguments)
        .put("call_id", callId).put("name", name);
  }

  /** Whether {@code name} is one of the request's custom tools (a call of it is shown as a {@code custom_tool_call}). */
  static boolean isCustom(String name, JsonObject echo) {
    JsonArray custom = echo.getJsonArray("custom_tools");
    return custom != null && custom.contains(name);
  }

  static JsonObject customToolCall(String id, String callId, String name, String input, String status) {
    return new JsonObject().put("id", id).put("type", "custom_tool_call").put("status", status).put("call_id", callId)
        .put("input", input).put("name", name);
  }

  static JsonObject reasoning(String id, String summary, String encrypted) {
    JsonArray parts = new JsonArray();
    if (summary != null && !summary.isEmpty()) {
      parts.add(summaryText(summary));
    }
    JsonObject item = new JsonObject().put("id", id).put("type", "reasoning").put("summary", parts);
    if (encrypted != null) {
      item.put("encrypted_content", encrypted);
    }
    return item;
  }

  static JsonObject summaryText(String text) {
    return new JsonObject().put("type", "summary_text").put("text", text);
  }

  static String status(StopReason reason) {
    if (reason == null) {
      return "in_progress";
    }
    return switch (reason) {
      case MAX_TOKENS, CONTENT_FILTER -> "incomplete";
      case ERROR -> "failed";
      default -> "completed";
    };
  }

  static JsonObject incompleteDetails(StopReason reason) {
    if (reason == StopReason.MAX_TOKENS) {
      return new JsonObject().put("reason", "max_output_tokens");
    }
    return reason == StopReason.CONTENT_FILTER ? new JsonObject().put("reason", "content_filter") : null;
  }

  static JsonObject usage(Usage usage) {
    long input = usage.promptTotal();
    long output = Usage.orZero(usage.output());
    return new JsonObject()
        .put("input_tokens", input)
        .put("input_tokens_details", new JsonObject().put("cached_tokens", Usage.orZero(usage.cacheRead())))
        .put("output_tokens", output)
        .put("output_tokens_details", new JsonObject().put("reasoning_tokens", Usage.orZero(usage.reasoning())))
        .put("total_tokens", input + output);
  }

  /**
   * The answer's output items as input items for the stored conversation: ids dropped, reasoning kept in full. An
   * answer from OpenAI's Responses API as is keeps its own output items unchanged (ids, built-in tool calls and
   * encrypted reasoning included: only that API reads them back).
   */
  static JsonArray asInputItems(UnifiedResponse answer, JsonObject echo) {
    JsonArray items = new JsonArray();
    if (answer.nativeBody() != null) {
      JsonArray output = answer.nativeBody().getValue("output") instanceof JsonArray o ? o : new JsonArray();
      output.forEach(item -> items.add(item instanceof JsonObject i ? i.copy() : item));
      return items;
    }
    for (ContentBlock block : answer.content()) {
      if (block instanceof ContentBlock.Text text) {
        items.add(new JsonObject().put("type", "message").put("role", "assistant")
            .put("content", new JsonArray().add(new JsonObject().put("type", "output_text").put("text", text.text()))));
      } else if (block instanceof ContentBlock.ToolUse use && isCustom(use.name(), echo)) {
        items.add(new JsonObject().put("type", "custom_tool_call").put("call_id", use.id()).put("name", use.name())
            .put("input", CustomTools.input(use.inputJson())));
      } else if (block instanceof ContentBlock.ToolUse use) {
        items.add(new JsonObject().put("type", "function_call").put("call_id", use.id()).put("name", use.name())
            .put("arguments", use.inputJson()));
      } else if (block instanceof ContentBlock.Thinking thinking) {
        String encrypted = EncryptedReasoning.mint(thinking);
        if (encrypted != null) {
          items.add(new JsonObject().put("type", "reasoning").put("summary", new JsonArray()).put("encrypted_content", encrypted));
        }
      }
    }
    return items;
  }
}
