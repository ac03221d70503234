package dev.ensemble.wire.responses;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Passthrough;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * OpenAI's Responses API as an upstream format, for a {@link Passthrough}: the body sent ({@code POST /responses},
 * the client's own with the upstream's model id and the stream flag of the attempt) and the {@code response} object
 * read back. The object is kept whole as the answer's native body (what the client is shown); the unified answer
 * beside it holds what accounting, persistence and other views need: text, function and custom tool calls,
 * reasoning summaries, the stop reason and the usage ({@code input_tokens} includes
 * {@code input_tokens_details.cached_tokens}; {@code output_tokens_details.reasoning_tokens} is the reasoning
 * breakdown). Stateless.
 */
public final class UpstreamResponses {

  /** The Responses API path under an OpenAI base URL ({@code https://api.openai.com/v1}). */
  public static final String PATH = "/responses";

  private UpstreamResponses() {
  }

  /** The body to send: the client's, naming {@code upstreamModel}, streamed or not as the attempt is. */
  public static JsonObject request(Passthrough passthrough, String upstreamModel, boolean stream) {
    JsonObject body = passthrough.body().copy().put("model", upstreamModel);
    if (stream) {
      body.put("stream", true);
    } else {
      body.remove("stream");
      body.remove("stream_options");
    }
    return body;
  }

  /** A complete {@code response} object as a unified answer carrying it as its native body. */
  public static UnifiedResponse decode(JsonObject response) {
    if (!"response".equals(response.getValue("object")) && !(response.getValue("output") instanceof JsonArray)) {
      throw new UpstreamProtocolException("not a Responses API response object");
    }
    List<ContentBlock> content = new ArrayList<>();
    boolean toolCalls = false;
    JsonArray output = response.getValue("output") instanceof JsonArray a ? a : new JsonArray();
    for (Object value : output) {
      if (!(value instanceof JsonObject item)) {
        continue;
      }
      ContentBlock block = block(item);
      if (block != null) {
        content.add(block);
        toolCalls |= block instanceof ContentBlock.ToolUse;
      }
    }
    return new UnifiedResponse(response.getString("id"), response.getString("model"), content, stopReason(response, toolCalls), null,
        usage(response.getValue("usage")), response);
  }

  /** The unified block of one output item, or null for items only the Responses API knows (built-in tool calls). */
  static ContentBlock block(JsonObject item) {
    String type = item.getString("type", "");
    switch (type) {
      case "message" -> {
        StringBuilder text = new StringBuilder();
        if (item.getValue("content") instanceof JsonArray parts) {
          for (Object part : parts) {
            if (part instanceof JsonObject p) {
              String piece = p.getValue("text") instanceof String t ? t : p.getValue("refusal") instanceof String r ? r : "";
              text.append(piece);
            }
          }
        }
        return ContentBlock.Text.of(text.toString());
      }
      case "function_call" -> {
        return new ContentBlock.ToolUse(string(item, "call_id"), string(item, "name"), item.getString("arguments", "{}"), null);
      }
      case "custom_tool_call" -> {
        return new ContentBlock.ToolUse(string(item, "call_id"), string(item, "name"), CustomTools.arguments(item.getString("input", "")), null);
      }
      case "reasoning" -> {
        StringBuilder summary = new StringBuilder();
        if (item.getValue("summary") instanceof JsonArray parts) {
          for (Object part : parts) {
            if (part instanceof JsonObject p && p.getValue("text") instanceof String t) {
              summary.append(t);
            }
          }
        }
        return new ContentBlock.Thinking(summary.toString(), null, null);
      }
      default -> {
        return null;
      }
    }
  }

  /** Whether the response's output holds a function or custom tool call. */
  static boolean callsTools(JsonObject response) {
    if (response.getValue("output") instanceof JsonArray output) {
      for (Object item : output) {
        if (item instanceof JsonObject i && ("function_call".equals(i.getValue("type")) || "custom_tool_call".equals(i.getValue("type")))) {
          return true;
        }
      }
    }
    return false;
  }

  /** The unified stop reason of a response object's status. */
  static StopReason stopReason(JsonObject response, boolean toolCalls) {
    String status = response.getString("status", "completed");
    if ("incomplete".equals(status)) {
      JsonObject details = response.getValue("incomplete_details") instanceof JsonObject d ? d : new JsonObject();
      return "content_filter".equals(details.getValue("reason")) ? StopReason.CONTENT_FILTER : StopReason.MAX_TOKENS;
    }
    if ("failed".equals(status) || "cancelled".equals(status)) {
      return StopReason.ERROR;
    }
    return toolCalls ? StopReason.TOOL_USE : StopReason.END_TURN;
  }

  /** A Responses API {@code usage} object as unified usage; {@link Usage#UNKNOWN} when absent. */
  static Usage usage(Object value) {
    if (!(value instanceof JsonObject usage)) {
      return Usage.UNKNOWN;
    }
    Long input = number(usage.getValue("input_tokens"));
    Long output = number(usage.getValue("output_tokens"));
    Long cached = usage.getValue("input_tokens_details") instanceof JsonObject d ? number(d.getValue("cached_tokens")) : null;
    Long reasoning = usage.getValue("output_tokens_details") instanceof JsonObject d ? number(d.getValue("reasoning_tokens")) : null;
    return new Usage(input == null ? null : Math.max(0L, input - Usage.orZero(cached)), output, cached, null, reasoning);
  }

  private static String string(JsonObject item, String field) {
    return item.getValue(field) instanceof String s ? s : "";
  }

  private static Long number(Object value) {
    return value instanceof Number n ? n.longValue() : null;
  }
}
