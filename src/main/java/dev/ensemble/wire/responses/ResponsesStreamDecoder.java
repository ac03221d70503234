package dev.ensemble.wire.responses;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.SseEvent;
import dev.ensemble.wire.SseParser;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an upstream's Responses API stream (semantic SSE events, {@code response.created} ...
 * {@code response.completed}) for a {@link dev.ensemble.model.Passthrough}: every upstream event becomes a
 * {@link StreamEvent.Native} (what a Responses client is shown, as is), followed by the unified events it implies
 * for accounting and persistence: {@code response.created} opens the answer, message, function call, custom tool
 * call and reasoning items open, fill and close blocks, and {@code response.completed}, {@code response.incomplete}
 * or {@code response.failed} end it with the response's usage (the last one as an error after its end). An
 * {@code error} event ends the stream with {@link StreamEvent.Error} only, not relayed: before anything reached the
 * client the request can still fail over, after it the client's encoder renders the error. Built-in tool items (web search, file search,
 * ...) have no unified block: only their native events pass. One decoder per stream, one thread at a time.
 */
public final class ResponsesStreamDecoder implements StreamDecoder {

  private final SseParser parser = new SseParser();
  private final Map<Integer, Integer> blockOfOutput = new HashMap<>();
  private List<StreamEvent> out;
  private boolean started;
  private boolean completed;
  private int nextBlock;

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    out = new ArrayList<>();
    for (SseEvent event : parser.feed(chunk)) {
      if (!completed && event.data() != null && !event.data().isEmpty() && !"[DONE]".equals(event.data())) {
        handle(event.data());
      }
    }
    return out;
  }

  @Override
  public List<StreamEvent> finish() {
    return List.of();
  }

  @Override
  public boolean completed() {
    return completed;
  }

  private void handle(String data) {
    JsonObject event;
    try {
      event = new JsonObject(data);
    } catch (DecodeException e) {
      throw new UpstreamProtocolException("a Responses API stream event is not JSON: " + e.getMessage());
    }
    String type = event.getString("type", "");
    JsonObject response = event.getValue("response") instanceof JsonObject r ? r : null;
    boolean terminal = type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed");
    if (!type.equals("error")) {
      // an upstream error is the gateway's to render: a clean failover before anything was shown, else its error events
      out.add(new StreamEvent.Native(event, terminal ? response : null));
    }
    switch (type) {
      case "response.created" -> start(response);
      case "response.output_item.added" -> itemAdded(event);
      case "response.output_text.delta", "response.refusal.delta", "response.reasoning_summary_text.delta" -> text(event);
      case "response.function_call_arguments.delta" -> arguments(event, event.getString("delta", ""));
      case "response.output_item.done" -> itemDone(event);
      case "response.completed", "response.incomplete", "response.failed" -> end(type, response);
      case "error" -> fail(event);
      default -> { }
    }
  }

  private void start(JsonObject response) {
    if (started) {
      return;
    }
    started = true;
    out.add(new StreamEvent.ResponseStart(response == null ? null : response.getString("id"),
        response == null ? null : response.getString("model"), null, null, Usage.UNKNOWN));
  }

  private void itemAdded(JsonObject event) {
    start(null);
    JsonObject item = event.getValue("item") instanceof JsonObject i ? i : new JsonObject();
    int output = event.getInteger("output_index", -1);
    int block = nextBlock;
    switch (item.getString("type", "")) {
      case "message" -> out.add(StreamEvent.BlockStart.text(block));
      case "function_call", "custom_tool_call" -> out.add(StreamEvent.BlockStart.toolUse(block, item.getString("call_id", ""),
          item.getString("name", "")));
      case "reasoning" -> out.add(StreamEvent.BlockStart.thinking(block));
      default -> {
        return;
      }
    }
    blockOfOutput.put(output, block);
    nextBlock++;
  }

  private void text(JsonObject event) {
    Integer block = blockOfOutput.get(event.getInteger("output_index", -1));
    String delta = event.getString("delta", "");
    if (block != null && !delta.isEmpty()) {
      out.add(StreamEvent.BlockDelta.text(block, delta));
    }
  }

  private void arguments(JsonObject event, String delta) {
    Integer block = blockOfOutput.get(event.getInteger("output_index", -1));
    if (block != null && !delta.isEmpty()) {
      out.add(StreamEvent.BlockDelta.partialJson(block, delta));
    }
  }

  private void itemDone(JsonObject event) {
    Integer block = blockOfOutput.remove(event.getInteger("output_index", -1));
    if (block != null) {
      JsonObject item = event.getValue("item") instanceof JsonObject i ? i : new JsonObject();
      if ("custom_tool_call".equals(item.getValue("type")) && UpstreamResponses.block(item) instanceof ContentBlock.ToolUse use) {
        // a custom tool's input streams as raw text; the unified call holds it whole as {"input": "..."}
        out.add(StreamEvent.BlockDelta.partialJson(block, use.inputJson()));
      }
      out.add(new StreamEvent.BlockStop(block));
    }
  }

  private void end(String type, JsonObject response) {
    start(response);
    for (Integer open : blockOfOutput.values()) {
      out.add(new StreamEvent.BlockStop(open));
    }
    blockOfOutput.clear();
    JsonObject body = response == null ? new JsonObject() : response;
    out.add(new StreamEvent.ResponseEnd(UpstreamResponses.stopReason(body, UpstreamResponses.callsTools(body)), null,
        UpstreamResponses.usage(body.getValue("usage")), null));
    if (type.equals("response.failed")) {
      JsonObject error = body.getValue("error") instanceof JsonObject e ? e : new JsonObject();
      out.add(new StreamEvent.Error(GatewayError.of(ErrorType.UPSTREAM_ERROR, "The upstream's response failed: "
          + error.getString("message", error.getString("code", "no reason given")))));
    }
    completed = true;
  }

  private void fail(JsonObject event) {
    String message = event.getValue("message") instanceof String m ? m : "the upstream's stream reported an error";
    out.add(new StreamEvent.Error(GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream error: " + message)));
    completed = true;
  }
}
