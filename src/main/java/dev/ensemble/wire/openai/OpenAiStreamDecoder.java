package dev.ensemble.wire.openai;

import dev.ensemble.model.BlockKind;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.SseEvent;
import dev.ensemble.wire.SseParser;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decodes an OpenAI-format upstream's streamed chat completion ({@code data: {chat.completion.chunk}} frames
 * ending in {@code data: [DONE]}) into unified events. The block open when {@code finish_reason} arrives is
 * closed at once; {@link StreamEvent.ResponseEnd} waits for {@code [DONE]} because the usage chunk
 * ({@code choices: []}) comes after the finish chunk. A stream that closes after both the finish reason and
 * the usage but without {@code [DONE]} still counts as complete.
 *
 * <p>Tool calls must arrive one after another, as OpenAI sends them: arguments for a call after the next
 * call has started cannot be placed in the unified sequence and fail the stream with
 * {@link UpstreamProtocolException}, as does a chunk that is not JSON. A chunk carrying {@code error}
 * ends the stream with {@link StreamEvent.Error}.
 */
public final class OpenAiStreamDecoder implements StreamDecoder {

  private final SseParser parser = new SseParser();
  private final Set<Integer> toolIndexes = new HashSet<>();
  private List<StreamEvent> out;
  private boolean started;
  private boolean completed;
  private int nextBlock;
  private int openBlock = -1;
  private BlockKind openKind;
  private int openToolIndex = -1;
  private String finishReason;
  private boolean refused;
  private boolean sawUsage;
  private Usage usage = Usage.UNKNOWN;

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    out = new ArrayList<>();
    for (SseEvent event : parser.feed(chunk)) {
      handle(event.data());
    }
    return out;
  }

  @Override
  public List<StreamEvent> finish() {
    out = new ArrayList<>();
    for (SseEvent event : parser.finish()) {
      handle(event.data());
    }
    if (!completed && finishReason != null && sawUsage) {
      end();
    }
    return out;
  }

  @Override
  public boolean completed() {
    return completed;
  }

  private void handle(String data) {
    if (completed) {
      return;
    }
    if (data.trim().equals("[DONE]")) {
      ensureStarted(null, null);
      end();
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(data);
    } catch (DecodeException | ClassCastException e) {
      throw new UpstreamProtocolException("OpenAI stream chunk is not a JSON object", e);
    }
    if (chunk.getValue("error") != null) {
      error(chunk.getValue("error"));
      return;
    }
    ensureStarted(OpenAiResponseCodec.string(chunk, "id"), OpenAiResponseCodec.string(chunk, "model"));
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()) {
      if (!(choices.getValue(0) instanceof JsonObject choice)) {
        throw new UpstreamProtocolException("OpenAI stream choice is not an object");
      }
      choice(choice);
    }
    if (chunk.getValue("usage") instanceof JsonObject reported) {
      usage = usage.mergedWith(OpenAiUsage.decode(reported));
      sawUsage = true;
      OpenAiUsage.logReportedCost(OpenAiResponseCodec.string(chunk, "id"), OpenAiResponseCodec.string(chunk, "model"), reported);
    }
  }

  private void choice(JsonObject choice) {
    if (choice.getValue("delta") instanceof JsonObject delta) {
      text(BlockKind.THINKING, OpenAiResponseCodec.string(delta, "reasoning_content"));
      text(BlockKind.TEXT, OpenAiResponseCodec.string(delta, "content"));
      String refusal = OpenAiResponseCodec.string(delta, "refusal");
      if (refusal != null && !refusal.isEmpty()) {
        refused = true;
        text(BlockKind.TEXT, refusal);
      }
      if (delta.getValue("tool_calls") instanceof JsonArray calls) {
        for (int i = 0; i < calls.size(); i++) {
          if (!(calls.getValue(i) instanceof JsonObject call)) {
            throw new UpstreamProtocolException("OpenAI stream tool call is not an object");
          }
          toolCall(call, i);
        }
      }
    }
    String finish = OpenAiResponseCodec.string(choice, "finish_reason");
    if (finish != null) {
      finishReason = finish;
      closeOpen();
    }
  }

  private void text(BlockKind kind, String text) {
    if (text == null || text.isEmpty()) {
      return;
    }
    if (openKind != kind) {
      closeOpen();
      open(kind == BlockKind.TEXT ? StreamEvent.BlockStart.text(nextBlock) : StreamEvent.BlockStart.thinking(nextBlock));
    }
    out.add(StreamEvent.BlockDelta.text(openBlock, text));
  }

  private void toolCall(JsonObject call, int position) {
    int index = call.getValue("index") instanceof Number n ? n.intValue() : position;
    JsonObject function = call.getValue("function") instanceof JsonObject f ? f : new JsonObject();
    if (toolIndexes.add(index)) {
      String id = OpenAiResponseCodec.string(call, "id");
      String name = OpenAiResponseCodec.string(function, "name");
      if (id == null || name == null) {
        throw new UpstreamProtocolException("OpenAI stream tool call " + index + " starts without id or name");
      }
      closeOpen();
      open(StreamEvent.BlockStart.toolUse(nextBlock, id, name));
      openToolIndex = index;
    }
    String arguments = OpenAiResponseCodec.string(function, "arguments");
    if (arguments == null || arguments.isEmpty()) {
      return;
    }
    if (openKind != BlockKind.TOOL_USE || openToolIndex != index) {
      throw new UpstreamProtocolException("OpenAI stream interleaves arguments of tool call " + index);
    }
    out.add(StreamEvent.BlockDelta.partialJson(openBlock, arguments));
  }

  private void error(Object value) {
    JsonObject error = value instanceof JsonObject e ? e : new JsonObject();
    Object message = error.getValue("message");
    String text = "upstream stream error" + (message instanceof String s && !s.isEmpty() ? ": " + s : "");
    out.add(new StreamEvent.Error(GatewayError.of(ErrorType.UPSTREAM_ERROR, text)));
    completed = true;
  }

  private void ensureStarted(String id, String model) {
    if (!started) {
      started = true;
      out.add(new StreamEvent.ResponseStart(id, model, null, null, Usage.UNKNOWN));
    }
  }

  private void open(StreamEvent.BlockStart start) {
    out.add(start);
    openBlock = nextBlock++;
    openKind = start.kind();
  }

  private void closeOpen() {
    if (openKind != null) {
      out.add(new StreamEvent.BlockStop(openBlock));
      openKind = null;
      openToolIndex = -1;
    }
  }

  private void end() {
    closeOpen();
    StopReason stop = refused && "stop".equals(finishReason) ? StopReason.REFUSAL : FinishReasons.decode(finishReason);
    out.add(new StreamEvent.ResponseEnd(stop, null, usage, null));
    completed = true;
  }
}
