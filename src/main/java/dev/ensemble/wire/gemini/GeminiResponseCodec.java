package dev.ensemble.wire.gemini;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Complete (non-streamed) Gemini {@code GenerateContentResponse} bodies as unified answers, from the first
 * candidate: text parts become text blocks (adjacent ones joined), {@code thought: true} parts thinking blocks,
 * {@code functionCall} parts tool-use blocks with ids from {@link ToolCallIds} and their {@code args} as JSON
 * text. Parts the unified model cannot carry (executable code, inline output data) are skipped. Stateless and
 * thread-safe.
 */
public final class GeminiResponseCodec {

  /**
   * @throws GatewayError              a 400 when Gemini blocked the prompt ({@code promptFeedback.blockReason})
   * @throws UpstreamProtocolException when the body is not a GenerateContentResponse
   */
  public UnifiedResponse decode(JsonObject body) {
    GatewayError blocked = PromptFeedback.blocked(body);
    if (blocked != null) {
      throw blocked;
    }
    String responseId = UpstreamJson.string(body, "responseId");
    String model = UpstreamJson.string(body, "modelVersion");
    JsonArray candidates = UpstreamJson.array(body, "candidates");
    List<ContentBlock> content = new ArrayList<>();
    String finishReason = null;
    if (candidates != null && !candidates.isEmpty()) {
      JsonObject candidate = UpstreamJson.objectAt(candidates, 0, "candidate");
      finishReason = UpstreamJson.string(candidate, "finishReason");
      JsonObject candidateContent = UpstreamJson.object(candidate, "content");
      JsonArray parts = candidateContent == null ? null : UpstreamJson.array(candidateContent, "parts");
      if (parts != null) {
        blocks(parts, new ToolCallIds(responseId), content);
      }
    } else if (UpstreamJson.object(body, "usageMetadata") == null) {
      throw new UpstreamProtocolException("Gemini response has neither candidates nor usage");
    }
    boolean calledTools = content.stream().anyMatch(b -> b instanceof ContentBlock.ToolUse);
    StopReason stop = FinishReasons.decode(finishReason, calledTools);
    return new UnifiedResponse(responseId, model, content, stop, null,
        GeminiUsage.decode(UpstreamJson.object(body, "usageMetadata")));
  }

  private static void blocks(JsonArray parts, ToolCallIds ids, List<ContentBlock> out) {
    StringBuilder text = null;
    boolean thought = false;
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = UpstreamJson.objectAt(parts, i, "part");
      JsonObject call = UpstreamJson.object(part, "functionCall");
      String partText = UpstreamJson.string(part, "text");
      boolean partThought = Boolean.TRUE.equals(part.getValue("thought"));
      if (partText != null && (text == null || thought == partThought)) {
        if (text == null) {
          text = new StringBuilder();
          thought = partThought;
        }
        text.append(partText);
        continue;
      }
      flush(text, thought, out);
      text = null;
      if (partText != null) {
        text = new StringBuilder(partText);
        thought = partThought;
      } else if (call != null) {
        out.add(toolUse(call, ids));
      }
    }
    flush(text, thought, out);
  }

  private static void flush(StringBuilder text, boolean thought, List<ContentBlock> out) {
    if (text == null || text.isEmpty()) {
      return;
    }
    out.add(thought ? new ContentBlock.Thinking(text.toString(), null, null) : ContentBlock.Text.of(text.toString()));
  }

  static ContentBlock.ToolUse toolUse(JsonObject call, ToolCallIds ids) {
    String name = UpstreamJson.string(call, "name");
    if (name == null || name.isEmpty()) {
      throw new UpstreamProtocolException("Gemini functionCall has no name");
    }
    JsonObject args = UpstreamJson.object(call, "args");
    return new ContentBlock.ToolUse(ids.next(UpstreamJson.string(call, "id")), name,
        args == null ? "{}" : args.encode(), null);
  }
}
