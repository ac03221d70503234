package dev.ensemble.wire.gemini;

import dev.ensemble.model.BlockKind;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.SseEvent;
import dev.ensemble.wire.SseParser;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Decodes {@code streamGenerateContent?alt=sse}: each {@code data:} frame is a whole
 * {@code GenerateContentResponse} carrying the next parts of the first candidate. Text parts extend the open
 * text block ({@code thought: true} ones the open thinking block); a {@code functionCall} arrives whole and
 * becomes a complete tool-use block (start, one delta with the arguments, stop). Every frame repeats the
 * cumulative {@code usageMetadata}; the frame with the {@code finishReason} ends the answer with the last one.
 * A blocked prompt ({@code promptFeedback.blockReason}) and an {@code error} frame end it with
 * {@link StreamEvent.Error}. Gemini sends no end marker, so a stream that closes before a finish reason stays
 * incomplete. A frame that is not JSON throws {@link UpstreamProtocolException}.
 */
public final class GeminiStreamDecoder implements StreamDecoder {

  private final SseParser parser = new SseParser();
  private List<StreamEvent> out;
  private ToolCallIds ids;
  private boolean started;
  private boolean completed;
  private boolean calledTools;
  private int nextBlock;
  private BlockKind openKind;
  private Usage usage = Usage.UNKNOWN;

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    return handle(parser.feed(chunk));
  }

  @Override
  public List<StreamEvent> finish() {
    return handle(parser.finish());
  }

  @Override
  public boolean completed() {
    return completed;
  }

  @Override
  public Usage reported() {
    return usage;
  }

  private List<StreamEvent> handle(List<SseEvent> events) {
    out = new ArrayList<>();
    for (SseEvent event : events) {
      if (!completed && !event.data().isBlank()) {
        frame(UpstreamJson.parse(event.data(), "Gemini stream frame"));
      }
    }
    return out;
  }

  private void frame(JsonObject response) {
    if (response.getValue("error") != null) {
      end(GeminiErrors.streamError(response.getValue("error")));
      return;
    }
    GatewayError blocked = PromptFeedback.blocked(response);
    if (blocked != null) {
      end(blocked);
      return;
    }
    String responseId = UpstreamJson.string(response, "responseId");
    if (!started) {
      started = true;
      ids = new ToolCallIds(responseId);
      out.add(new StreamEvent.ResponseStart(responseId, UpstreamJson.string(response, "modelVersion"), null, null, Usage.UNKNOWN));
    }
    JsonObject metadata = UpstreamJson.object(response, "usageMetadata");
    if (metadata != null) {
      usage = GeminiUsage.decode(metadata);
    }
    JsonArray candidates = UpstreamJson.array(response, "candidates");
    if (candidates == null || candidates.isEmpty()) {
      return;
    }
    JsonObject candidate = UpstreamJson.objectAt(candidates, 0, "candidate");
    JsonObject content = UpstreamJson.object(candidate, "content");
    JsonArray parts = content == null ? null : UpstreamJson.array(content, "parts");
    if (parts != null) {
      for (int i = 0; i < parts.size(); i++) {
        part(UpstreamJson.objectAt(parts, i, "part"));
      }
    }
    String finishReason = UpstreamJson.string(candidate, "finishReason");
    if (finishReason != null) {
      closeOpen();
      out.add(new StreamEvent.ResponseEnd(FinishReasons.decode(finishReason, calledTools), null, usage, null));
      completed = true;
    }
  }

  private void part(JsonObject part) {
    String text = UpstreamJson.string(part, "text");
    if (text != null) {
      if (text.isEmpty()) {
        return;
      }
      BlockKind kind = Boolean.TRUE.equals(part.getValue("thought")) ? BlockKind.THINKING : BlockKind.TEXT;
      if (openKind != kind) {
        closeOpen();
        out.add(kind == BlockKind.TEXT ? StreamEvent.BlockStart.text(nextBlock) : StreamEvent.BlockStart.thinking(nextBlock));
        openKind = kind;
      }
      out.add(StreamEvent.BlockDelta.text(nextBlock, text));
      return;
    }
    JsonObject call = UpstreamJson.object(part, "functionCall");
    if (call != null) {
      closeOpen();
      ContentBlock.ToolUse use = GeminiResponseCodec.toolUse(call, ids);
      out.add(StreamEvent.BlockStart.toolUse(nextBlock, use.id(), use.name()));
      out.add(StreamEvent.BlockDelta.partialJson(nextBlock, use.inputJson()));
      out.add(new StreamEvent.BlockStop(nextBlock));
      nextBlock++;
      calledTools = true;
    }
  }

  private void closeOpen() {
    if (openKind != null) {
      out.add(new StreamEvent.BlockStop(nextBlock));
      nextBlock++;
      openKind = null;
    }
  }

  private void end(GatewayError error) {
    closeOpen();
    out.add(new StreamEvent.Error(error));
    completed = true;
  }
}
