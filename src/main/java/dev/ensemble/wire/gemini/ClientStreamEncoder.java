package dev.ensemble.wire.gemini;

import dev.ensemble.model.BlockKind;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A streamed answer as Gemini's {@code streamGenerateContent} sends it: one {@code GenerateContentResponse} chunk
 * per text or thinking delta, a function call whole in one chunk when its arguments are complete, and a last chunk
 * with the {@code finishReason} and the final {@code usageMetadata}. With {@code alt=sse} each chunk is an SSE
 * {@code data:} frame; without, the chunks are the elements of one JSON array ({@code [}, {@code ,}-separated,
 * {@code ]}) sent as they come. A failure after the first byte is a last chunk {@code {"error":{...}}}. One encoder
 * per answer, on its event loop.
 */
final class ClientStreamEncoder implements StreamEncoder {

  private final ResponseContext context;
  private final boolean sse;
  private final boolean thoughts;
  private BlockKind kind;
  private String toolId;
  private String toolName;
  private StringBuilder arguments;
  private Usage usage = Usage.UNKNOWN;
  private boolean opened;
  private boolean closed;

  /** @param thoughts whether thinking is streamed as {@code thought} parts (the client's {@code includeThoughts}) */
  ClientStreamEncoder(ResponseContext context, boolean sse, boolean thoughts) {
    this.context = context;
    this.sse = sse;
    this.thoughts = thoughts;
  }

  @Override
  public String contentType() {
    return sse ? "text/event-stream" : "application/json";
  }

  @Override
  public Buffer encode(StreamEvent event) {
    if (closed) {
      return Buffer.buffer();
    }
    if (event instanceof StreamEvent.ResponseStart start) {
      usage = usage.mergedWith(start.usage());
    } else if (event instanceof StreamEvent.BlockStart s) {
      kind = s.kind();
      toolId = s.toolUseId();
      toolName = s.toolName();
      arguments = new StringBuilder();
    } else if (event instanceof StreamEvent.BlockDelta d && kind != null) {
      if (kind == BlockKind.TOOL_USE && d.partialJson() != null) {
        arguments.append(d.partialJson());
      } else if ((kind == BlockKind.TEXT || kind == BlockKind.THINKING && thoughts) && d.text() != null && !d.text().isEmpty()) {
        JsonObject part = new JsonObject().put("text", d.text());
        if (kind == BlockKind.THINKING) {
          part.put("thought", true);
        }
        return frame(chunk(part, null, null));
      }
    } else if (event instanceof StreamEvent.BlockStop) {
      BlockKind ended = kind;
      kind = null;
      if (ended == BlockKind.TOOL_USE) {
        return frame(chunk(ClientResponses.functionCall(toolId, toolName, arguments.toString()), null, null));
      }
    } else if (event instanceof StreamEvent.ResponseEnd end) {
      usage = usage.mergedWith(end.usage());
      Buffer last = frame(chunk(null, ClientResponses.finishReason(end.stopReason() == null
          ? dev.ensemble.model.StopReason.END_TURN : end.stopReason()), usage));
      return close(last);
    } else if (event instanceof StreamEvent.Error error) {
      return close(frame(ClientResponses.error(error.error())));
    }
    return Buffer.buffer();
  }

  private JsonObject chunk(JsonObject part, String finishReason, Usage finalUsage) {
    JsonObject candidate = new JsonObject();
    candidate.put("content", new JsonObject().put("parts", part == null ? new JsonArray() : new JsonArray().add(part)).put("role", "model"));
    if (finishReason != null) {
      candidate.put("finishReason", finishReason);
    }
    candidate.put("index", 0);
    return ClientResponses.chunk(new JsonArray().add(candidate), context, finalUsage);
  }

  private Buffer frame(JsonObject chunk) {
    if (sse) {
      return Buffer.buffer("data: " + chunk.encode() + "\r\n\r\n");
    }
    Buffer out = Buffer.buffer(opened ? ",\r\n" : "[");
    opened = true;
    return out.appendString(chunk.encode());
  }

  private Buffer close(Buffer last) {
    closed = true;
    return sse ? last : last.appendString("]");
  }
}
