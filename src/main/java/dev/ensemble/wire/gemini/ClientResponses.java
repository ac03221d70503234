package dev.ensemble.wire.gemini;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Answers as Gemini's {@code GenerateContentResponse}: one candidate ({@code index 0}) whose {@code content} is a
 * {@code model} turn (text parts, {@code thought: true} parts for thinking, {@code functionCall {id, name, args}}),
 * its {@code finishReason}, {@code usageMetadata} and {@code modelVersion}/{@code responseId} (the model the client
 * asked for, the gateway's request id). Errors as Google's {@code {"error":{code, message, status}}}. Stateless and
 * thread-safe.
 */
final class ClientResponses {

  /** The answer; thinking as {@code thought} parts only when {@code thoughts} (the client's {@code includeThoughts}). */
  JsonObject response(UnifiedResponse answer, ResponseContext context, boolean thoughts) {
    JsonArray parts = new JsonArray();
    for (ContentBlock block : answer.content()) {
      JsonObject part = block instanceof ContentBlock.Thinking && !thoughts ? null : part(block);
      if (part != null) {
        parts.add(part);
      }
    }
    JsonObject candidate = new JsonObject().put("content", new JsonObject().put("parts", parts).put("role", "model"));
    if (answer.stopReason() != null) {
      candidate.put("finishReason", finishReason(answer.stopReason()));
    }
    candidate.put("index", 0);
    return chunk(new JsonArray().add(candidate), context, answer.stopReason() == null ? null : answer.usage());
  }

  static JsonObject chunk(JsonArray candidates, ResponseContext context, Usage usage) {
    JsonObject chunk = new JsonObject().put("candidates", candidates);
    if (usage != null) {
      chunk.put("usageMetadata", usageMetadata(usage));
    }
    return chunk.put("modelVersion", context.model()).put("responseId", context.requestId());
  }

  static JsonObject part(ContentBlock block) {
    if (block instanceof ContentBlock.Text text) {
      return new JsonObject().put("text", text.text());
    }
    if (block instanceof ContentBlock.Thinking thinking && thinking.thinking() != null) {
      return new JsonObject().put("text", thinking.thinking()).put("thought", true);
    }
    if (block instanceof ContentBlock.ToolUse use) {
      return functionCall(use.id(), use.name(), use.inputJson());
    }
    return null;
  }

  static JsonObject functionCall(String id, String name, String arguments) {
    JsonObject args;
    try {
      args = arguments == null || arguments.isBlank() ? new JsonObject() : new JsonObject(arguments);
    } catch (RuntimeException notAnObject) {
      args = new JsonObject().put("arguments", arguments);
    }
    return new JsonObject().put("functionCall", new JsonObject().put("id", id).put("name", name).put("args", args));
  }

  /**
   * END_TURN, TOOL_USE, STOP_SEQUENCE and PAUSE_TURN are {@code STOP} (Gemini says STOP for function calls too);
   * MAX_TOKENS; CONTENT_FILTER and REFUSAL are {@code SAFETY}; ERROR is {@code OTHER}.
   */
  static String finishReason(StopReason reason) {
    return switch (reason) {
      case MAX_TOKENS -> "MAX_TOKENS";
      case CONTENT_FILTER, REFUSAL -> "SAFETY";
      case ERROR -> "OTHER";
      default -> "STOP";
    };
  }

  /**
   * {@code promptTokenCount} is the whole prompt, cached tokens included, as Gemini counts it, with the cache reads in
   * {@code cachedContentTokenCount}; {@code candidatesTokenCount} the output
   * without the reasoning tokens, which are {@code thoughtsTokenCount} when the upstream reported them.
   */
  static JsonObject usageMetadata(Usage usage) {
    long prompt = usage.promptTotal();
    long output = Usage.orZero(usage.output());
    long thoughts = Math.min(output, Usage.orZero(usage.reasoning()));
    JsonObject metadata = new JsonObject().put("promptTokenCount", prompt).put("candidatesTokenCount", output - thoughts)
        .put("totalTokenCount", prompt + output);
    if (thoughts > 0) {
      metadata.put("thoughtsTokenCount", thoughts);
    }
    if (Usage.orZero(usage.cacheRead()) > 0) {
      metadata.put("cachedContentTokenCount", usage.cacheRead());
    }
    return metadata;
  }

  /** Google's error body, with the canonical status of the HTTP code. */
  static JsonObject error(GatewayError error) {
    return new JsonObject().put("error", new JsonObject().put("code", error.status()).put("message", error.getMessage())
        .put("status", canonicalStatus(error.status())));
  }

  static String canonicalStatus(int status) {
    return switch (status) {
      case 400, 413 -> "INVALID_ARGUMENT";
      case 401 -> "UNAUTHENTICATED";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 405 -> "UNIMPLEMENTED";
      case 409 -> "ABORTED";
      case 429 -> "RESOURCE_EXHAUSTED";
      case 499 -> "CANCELLED";
      case 501 -> "UNIMPLEMENTED";
      case 502, 503 -> "UNAVAILABLE";
      case 504 -> "DEADLINE_EXCEEDED";
      default -> status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
    };
  }
}
