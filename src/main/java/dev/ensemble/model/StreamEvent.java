package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

/**
 * One event of a streamed answer, in the unified event-block shape of SPEC.md. Upstream stream decoders
 * produce these; client stream encoders (OpenAI SSE, Anthropic SSE, WebSocket) render them.
 * Sequence numbers are assigned when events are recorded, not here.
 */
public sealed interface StreamEvent {

  /** The unified-event type name, e.g. {@code block.delta}. */
  String type();

  /** The event's fields as unified-event JSON, without {@code seq}. */
  JsonObject toJson();

  /**
   * The answer begins. Decoders fill {@code id} and {@code model} from the upstream and {@code usage} with
   * whatever the upstream reports up front (Anthropic reports input tokens here); the gateway replaces
   * id, model, provider and endpoint with its own before clients see them.
   */
  record ResponseStart(String id, String model, String provider, String endpoint, Usage usage) implements StreamEvent {
    public ResponseStart withRouting(String gatewayId, String clientModel, String provider, String endpoint) {
      return new ResponseStart(gatewayId, clientModel, provider, endpoint, usage);
    }

    @Override
    public String type() {
      return "response.start";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", type()).put("id", id).put("model", model)
          .put("provider", provider).put("endpoint", endpoint);
    }
  }

  /** A content block opens; tool-use blocks carry the call's id and tool name. */
  record BlockStart(int index, BlockKind kind, String toolUseId, String toolName) implements StreamEvent {
    public static BlockStart text(int index) {
      return new BlockStart(index, BlockKind.TEXT, null, null);
    }

    public static BlockStart thinking(int index) {
      return new BlockStart(index, BlockKind.THINKING, null, null);
    }

    public static BlockStart toolUse(int index, String id, String name) {
      return new BlockStart(index, BlockKind.TOOL_USE, id, name);
    }

    @Override
    public String type() {
      return "block.start";
    }

    @Override
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("type", type()).put("index", index).put("kind", kind.wireName());
      if (toolUseId != null) {
        json.put("id", toolUseId).put("name", toolName);
      }
      return json;
    }
  }

  /**
   * A piece of a block: {@code text} for text and thinking blocks, {@code partialJson} for tool-use input,
   * {@code signature} for the signature that closes an Anthropic thinking block. Exactly one is set.
   */
  record BlockDelta(int index, String text, String partialJson, String signature) implements StreamEvent {
    public static BlockDelta text(int index, String text) {
      return new BlockDelta(index, text, null, null);
    }

    public static BlockDelta partialJson(int index, String json) {
      return new BlockDelta(index, null, json, null);
    }

    public static BlockDelta signature(int index, String signature) {
      return new BlockDelta(index, null, null, signature);
    }

    @Override
    public String type() {
      return "block.delta";
    }

    @Override
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("type", type()).put("index", index);
      if (text != null) {
        json.put("text", text);
      }
      if (partialJson != null) {
        json.put("partial_json", partialJson);
      }
      if (signature != null) {
        json.put("signature", signature);
      }
      return json;
    }
  }

  /** A content block is complete. */
  record BlockStop(int index) implements StreamEvent {
    @Override
    public String type() {
      return "block.stop";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", type()).put("index", index);
    }
  }

  /**
   * The answer is complete: the stop reason and the final, merged usage. {@code costUsd} is set by the gateway. The
   * event's JSON shows the usage {@link Usage#counted() counted}: every count a number.
   */
  record ResponseEnd(StopReason stopReason, String stopSequence, Usage usage, Double costUsd) implements StreamEvent {
    public ResponseEnd withCost(Double cost) {
      return new ResponseEnd(stopReason, stopSequence, usage, cost);
    }

    @Override
    public String type() {
      return "response.end";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", type())
          .put("stop_reason", stopReason == null ? null : stopReason.wireName())
          .put("usage", (usage == null ? Usage.UNKNOWN : usage).counted().toJson())
          .put("cost_usd", costUsd);
    }
  }

  /**
   * An event of the upstream's own stream, relayed as is to a client speaking the same format (a {@link Passthrough}):
   * that format's encoder renders it and ignores the unified events that accompany it; every other view (unified
   * event blocks, the WebSocket, the journal) skips it. {@code response}, when set, is the complete answer in that
   * format, on the event that completes it.
   */
  record Native(JsonObject event, JsonObject response) implements StreamEvent {
    @Override
    public String type() {
      return "native";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", type()).put("event", event);
    }
  }

  /** The answer failed; after this no other event follows. */
  record Error(GatewayError error) implements StreamEvent {
    @Override
    public String type() {
      return "error";
    }

    @Override
    public JsonObject toJson() {
      return new JsonObject().put("type", type()).put("error", new JsonObject()
          .put("status", error.status())
          .put("type", error.type().wireName())
          .put("message", error.getMessage())
          .put("retryable", error.retryable()));
    }
  }
}
