package dev.ensemble.wire.responses;

import dev.ensemble.model.BlockKind;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.Sse;
import dev.ensemble.wire.StreamEncoder;
import dev.ensemble.wire.openai.OpenAiErrors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Unified events as the Responses API's semantic SSE events, each {@code event: <type>} with a
 * {@code sequence_number} counting from 0, in the order OpenAI sends them:
 * <pre>
 * response.created, response.in_progress
 * per text block:     response.output_item.added (message), response.content_part.added (output_text),
 *                     response.output_text.delta..., response.output_text.done, response.content_part.done,
 *                     response.output_item.done
 * per tool call:      response.output_item.added (function_call), response.function_call_arguments.delta...,
 *                     response.function_call_arguments.done, response.output_item.done
 * per thinking block: response.output_item.added (reasoning), response.reasoning_summary_part.added,
 *                     response.reasoning_summary_text.delta..., response.reasoning_summary_text.done,
 *                     response.reasoning_summary_part.done, response.output_item.done
 * response.completed (or response.incomplete) with the whole response object
 * </pre>
 * A failure after the first event ends the open item, if any, as {@code incomplete} (its {@code .done} events with
 * what came so far), then is an {@code error} event ({@code code}, {@code message}, {@code param}) followed by
 * {@code response.failed}, whose object shows the last item {@code incomplete} too. No {@code [DONE]}: the stream ends after the terminal event. A call of a
 * custom tool ({@link CustomTools}) is a {@code custom_tool_call} item whose input comes whole, in one
 * {@code response.custom_tool_call_input.delta} and its {@code .done}.
 *
 * <p>An answer from OpenAI's Responses API as is (a passthrough: {@link StreamEvent.Native} events) is relayed event
 * by event as the upstream sent it, with this stream's {@code sequence_number}s and the gateway's id and model in
 * its {@code response} objects; the unified events beside it are not rendered, except a gateway error that ends the
 * stream before the upstream's own terminal event. One encoder per answer, on its event loop.
 */
final class ResponsesStreamEncoder implements StreamEncoder {

  private final ResponseContext context;
  private final ResponseObjects objects;
  private final OpenAiErrors errors;
  private final StreamAccumulator accumulator = new StreamAccumulator();
  private int sequence;
  private int outputIndex = -1;
  private BlockKind kind;
  private String itemId;
  private String toolCallId;
  private String toolName;
  private StringBuilder text;
  private StringBuilder signature;
  private boolean started;
  private boolean custom;
  private boolean relaying;
  private boolean relayEnded;

  ResponsesStreamEncoder(ResponseContext context, ResponseObjects objects, OpenAiErrors errors) {
    this.context = context;
    this.objects = objects;
    this.errors = errors;
  }

  @Override
  public Buffer encode(StreamEvent event) {
    accumulator.accept(event);
    Buffer out = Buffer.buffer();
    if (event instanceof StreamEvent.Native n) {
      relaying = true;
      if (n.event() != null) {
        relay(n.event(), out);
      }
    } else if (relaying) {
      if (event instanceof StreamEvent.Error error && !relayEnded) {
        relayEnded = true;
        fail(error.error(), out);
      }
    } else if (event instanceof StreamEvent.ResponseStart) {
      start(out);
    } else if (event instanceof StreamEvent.BlockStart s) {
      blockStart(s, out);
    } else if (event instanceof StreamEvent.BlockDelta d) {
      blockDelta(d, out);
    } else if (event instanceof StreamEvent.BlockStop) {
      blockStop(out);
    } else if (event instanceof StreamEvent.ResponseEnd e) {
      blockStop(out);
      UnifiedResponse answer = accumulator.response();
      String type = switch (ResponseObjects.status(e.stopReason())) {
        case "incomplete" -> "response.incomplete";
        case "failed" -> "response.failed";
        default -> "response.completed";
      };
      emit(out, type, new JsonObject().put("response", objects.response(answer, context)));
    } else if (event instanceof StreamEvent.Error error) {
      fail(error.error(), out);
    }
    return out;
  }

  /** One upstream event as is, numbered in this stream, its response object showing the gateway's id and model. */
  private void relay(JsonObject upstream, Buffer out) {
    String type = upstream.getString("type", "");
    JsonObject event = upstream.copy();
    event.remove("type");
    event.remove("sequence_number");
    if (event.getValue("response") instanceof JsonObject response) {
      event.put("response", ResponseObjects.fromNative(response, context));
    }
    if (type.equals("response.completed") || type.equals("response.incomplete") || type.equals("response.failed") || type.equals("error")) {
      relayEnded = true;
    }
    emit(out, type, event);
  }

  private void start(Buffer out) {
    if (started) {
      return;
    }
    started = true;
    emit(out, "response.created", new JsonObject().put("response", objects.skeleton(context, "in_progress")));
    emit(out, "response.in_progress", new JsonObject().put("response", objects.skeleton(context, "in_progress")));
  }

  private void blockStart(StreamEvent.BlockStart s, Buffer out) {
    start(out);
    blockStop(out);
    if (s.kind() != BlockKind.TEXT && s.kind() != BlockKind.TOOL_USE && s.kind() != BlockKind.THINKING) {
      return;
    }
    kind = s.kind();
    outputIndex++;
    text = new StringBuilder();
    signature = new StringBuilder();
    switch (kind) {
      case TEXT -> {
        itemId = ResponseObjects.itemId("msg", context.requestId(), outputIndex);
        emit(out, "response.output_item.added", item(ResponseObjects.message(itemId, "in_progress")));
        emit(out, "response.content_part.added", part().put("part", ResponseObjects.outputText("")));
      }
      case TOOL_USE -> {
        toolCallId = s.toolUseId();
        toolName = s.toolName();
        custom = ResponseObjects.isCustom(toolName, context.echo());
        itemId = ResponseObjects.itemId(custom ? "ctc" : "fc", context.requestId(), outputIndex);
        emit(out, "response.output_item.added", item(custom ? ResponseObjects.customToolCall(itemId, toolCallId, toolName, "", "in_progress")
            : ResponseObjects.functionCall(itemId, toolCallId, toolName, "", "in_progress")));
      }
      default -> {
        itemId = ResponseObjects.itemId("rs", context.requestId(), outputIndex);
        emit(out, "response.output_item.added", item(ResponseObjects.reasoning(itemId, null, null)));
        emit(out, "response.reasoning_summary_part.added", summary().put("part", ResponseObjects.summaryText("")));
      }
    }
  }

  private void blockDelta(StreamEvent.BlockDelta d, Buffer out) {
    if (kind == null) {
      return;
    }
    if (d.signature() != null) {
      signature.append(d.signature());
    }
    String delta = d.text() != null ? d.text() : d.partialJson();
    if (delta == null || delta.isEmpty()) {
      return;
    }
    text.append(delta);
    switch (kind) {
      case TEXT -> emit(out, "response.output_text.delta", part().put("delta", delta).put("logprobs", new JsonArray()));
      case TOOL_USE -> {
        if (!custom) {
          emit(out, "response.function_call_arguments.delta", itemRef().put("delta", delta));
        }
      }
      default -> emit(out, "response.reasoning_summary_text.delta", summary().put("delta", delta));
    }
  }

  private void blockStop(Buffer out) {
    blockStop(out, "completed");
  }

  /** Ends the open item, if any, with {@code status}: {@code incomplete} when the answer failed while it was open. */
  private void blockStop(Buffer out, String status) {
    if (kind == null) {
      return;
    }
    String full = text.toString();
    switch (kind) {
      case TEXT -> {
        emit(out, "response.output_text.done", part().put("text", full).put("logprobs", new JsonArray()));
        emit(out, "response.content_part.done", part().put("part", ResponseObjects.outputText(full)));
        emit(out, "response.output_item.done", item(ResponseObjects.message(itemId, status)
            .put("content", new JsonArray().add(ResponseObjects.outputText(full)))));
      }
      case TOOL_USE -> {
        String arguments = full.isEmpty() ? "{}" : full;
        if (custom) {
          String input = CustomTools.input(arguments);
          emit(out, "response.custom_tool_call_input.delta", itemRef().put("delta", input));
          emit(out, "response.custom_tool_call_input.done", itemRef().put("input", input));
          emit(out, "response.output_item.done", item(ResponseObjects.customToolCall(itemId, toolCallId, toolName, input, status)));
          kind = null;
          return;
        }
        emit(out, "response.function_call_arguments.done", itemRef().put("name", toolName).put("arguments", arguments));
        emit(out, "response.output_item.done", item(ResponseObjects.functionCall(itemId, toolCallId, toolName, arguments, status)));
      }
      default -> {
        emit(out, "response.reasoning_summary_text.done", summary().put("text", full));
        emit(out, "response.reasoning_summary_part.done", summary().put("part", ResponseObjects.summaryText(full)));
        ContentBlock.Thinking thinking = new ContentBlock.Thinking(full, signature.isEmpty() ? null : signature.toString(), null);
        String encrypted = context.echo().getBoolean("include_encrypted_reasoning", false) ? EncryptedReasoning.mint(thinking) : null;
        emit(out, "response.output_item.done", item(ResponseObjects.reasoning(itemId, full, encrypted)));
      }
    }
    kind = null;
  }

  private void fail(GatewayError error, Buffer out) {
    start(out);
    JsonObject body = errors.encode(error).getJsonObject("error");
    String code = body.getString("code") != null ? body.getString("code") : body.getString("type");
    blockStop(out, "incomplete");
    emit(out, "error", new JsonObject().put("code", code).put("message", error.getMessage()).put("param", error.param()));
    UnifiedResponse soFar = accumulator.response();
    UnifiedResponse failed = new UnifiedResponse(soFar.id(), soFar.model(), soFar.content(), StopReason.ERROR, null, soFar.usage());
    JsonObject response = objects.response(failed, context)
        .put("error", new JsonObject().put("code", code).put("message", error.getMessage()));
    emit(out, "response.failed", new JsonObject().put("response", response));
  }

  private JsonObject item(JsonObject item) {
    return new JsonObject().put("output_index", outputIndex).put("item", item);
  }

  private JsonObject itemRef() {
    return new JsonObject().put("item_id", itemId).put("output_index", outputIndex);
  }

  private JsonObject part() {
    return itemRef().put("content_index", 0);
  }

  private JsonObject summary() {
    return itemRef().put("summary_index", 0);
  }

  private void emit(Buffer out, String type, JsonObject fields) {
    JsonObject event = new JsonObject().put("type", type).put("sequence_number", sequence++);
    fields.forEach(e -> event.put(e.getKey(), e.getValue()));
    out.appendBuffer(Sse.event(type, event.encode()));
  }
}
