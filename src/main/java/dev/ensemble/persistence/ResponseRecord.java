package dev.ensemble.persistence;

import dev.ensemble.model.Usage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A response as persisted: what the client was (or would have been) given, what it cost, and the unified
 * events it was made of, each with its {@code seq}. Immutable once built; the JSON parts are not modified
 * after construction. The store writes it with {@link RecordJson}: the body's bytes as the client got them and the
 * events straight from the request path's objects, in one pass; {@link #toJson()} is its tree, for readers.
 *
 * @param body   the final body in the client's original format: the bytes the client was sent, or rendered once
 *               (a streamed answer); null when there is none (an interrupted answer a crashed node left)
 * @param events the unified event blocks in order, each with {@code seq}
 * @param error  the error the answer ended with ({@code status} {@code failed}), or null
 * @param clientId the gateway client that asked for it, or null for an anonymous request; only that client
 *               (or the admin key) may read it back. Kept in the stored form, not shown.
 * @param conversation for client formats with server-side state (the Responses API's
 *               {@code previous_response_id}): the whole conversation up to and including this answer, in the
 *               client's format, so a later request can continue it; null otherwise. Kept in the stored form, not shown.
 * @param inputItems for client formats that list a response's input (the Responses API's
 *               {@code GET /v1/responses/{id}/input_items}): the input the answer was made from, in the client's
 *               format, each item with an id; null otherwise. Kept in the stored form as {@code input_items}, not shown.
 * @param background for a response OpenAI runs in background mode: where it runs ({@code upstream_id}, {@code provider},
 *               {@code endpoint}, {@code upstream_model}, {@code pricing}); its status is {@code in_progress} until a poll
 *               finds it finished and settles it ({@link dev.ensemble.bus.Addresses#PERSIST_RESPONSE_SETTLE}); null for
 *               any other response. Kept in the stored form, not shown.
 */
public record ResponseRecord(
    String id, Status status, String clientFormat, String model, String provider, String endpoint, Instant createdAt,
    Instant completedAt, String text, String stopReason, Usage usage, BigDecimal costUsd, boolean truncated,
    AnswerBody body, RecordEvents events, JsonObject error, String clientId, JsonArray conversation, JsonArray inputItems,
    JsonObject background) {

  public ResponseRecord {
    events = events == null ? RecordEvents.of((JsonArray) null) : events;
  }

  /** A response made as JSON trees (read back, recovered, or built off the request path), not run in background mode. */
  public ResponseRecord(String id, Status status, String clientFormat, String model, String provider, String endpoint, Instant createdAt,
      Instant completedAt, String text, String stopReason, Usage usage, BigDecimal costUsd, boolean truncated,
      JsonObject body, JsonArray events, JsonObject error, String clientId, JsonArray conversation, JsonArray inputItems) {
    this(id, status, clientFormat, model, provider, endpoint, createdAt, completedAt, text, stopReason, usage, costUsd, truncated,
        AnswerBody.of(body), RecordEvents.of(events), error, clientId, conversation, inputItems, null);
  }

  /** As the one above, without input items (a client format that does not list them). */
  public ResponseRecord(String id, Status status, String clientFormat, String model, String provider, String endpoint, Instant createdAt,
      Instant completedAt, String text, String stopReason, Usage usage, BigDecimal costUsd, boolean truncated,
      JsonObject body, JsonArray events, JsonObject error, String clientId, JsonArray conversation) {
    this(id, status, clientFormat, model, provider, endpoint, createdAt, completedAt, text, stopReason, usage, costUsd, truncated, body,
        events, error, clientId, conversation, null);
  }

  /** The body's JSON bytes (those the client was sent, for a non-streamed answer), or null when there is none. */
  public Buffer bodyBytes() {
    return body == null ? null : body.bytes();
  }

  /** The lifecycle of a response, as {@code GET /api/v1/responses/{id}} shows it. */
  public enum Status {
    IN_PROGRESS("in_progress"),
    COMPLETED("completed"),
    FAILED("failed");

    private final String wireName;

    Status(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }

    static Status of(String wireName) {
      for (Status s : values()) {
        if (s.wireName.equals(wireName)) {
          return s;
        }
      }
      throw new IllegalArgumentException("unknown status " + wireName);
    }
  }

  /** The stored form (what {@link RecordJson} writes, as a tree): the public view plus the client format, the client id, the events, any conversation and input items. */
  public JsonObject toJson() {
    JsonObject stored = publicJson().put("client_format", clientFormat).put("client_id", clientId).put("events", events.toJson());
    if (inputItems != null) {
      stored.put("input_items", inputItems);
    }
    if (background != null) {
      stored.put("background", background);
    }
    return conversation == null ? stored : stored.put("conversation", conversation);
  }

  /** What {@code GET /api/v1/responses/{id}} returns (no events). */
  public JsonObject publicJson() {
    JsonObject view = new JsonObject()
        .put("id", id)
        .put("status", status.wireName())
        .put("model", model)
        .put("provider", provider)
        .put("endpoint", endpoint)
        .put("created_at", createdAt.toString())
        .put("completed_at", completedAt == null ? null : completedAt.toString())
        .put("text", text)
        .put("stop_reason", stopReason)
        .put("usage", usage.counted().toJson())
        .put("cost_usd", costUsd == null ? null : costUsd.toPlainString())
        .put("truncated", truncated)
        .put("error", error)
        .put("body", body == null ? null : body.json());
    // why it failed, at the top level when the error names it (a response a crashed node left: "interrupted")
    if (error != null && error.getString("reason") != null) {
      view.put("reason", error.getString("reason"));
    }
    return view;
  }

  public static ResponseRecord fromJson(JsonObject json) {
    JsonObject u = json.getJsonObject("usage", new JsonObject());
    String completed = json.getString("completed_at");
    String cost = json.getString("cost_usd");
    return new ResponseRecord(json.getString("id"), Status.of(json.getString("status")), json.getString("client_format"),
        json.getString("model"), json.getString("provider"), json.getString("endpoint"), Instant.parse(json.getString("created_at")),
        completed == null ? null : Instant.parse(completed), json.getString("text"), json.getString("stop_reason"),
        Usage.fromJson(u),
        cost == null ? null : new BigDecimal(cost), json.getBoolean("truncated", false), AnswerBody.of(json.getJsonObject("body")),
        RecordEvents.of(json.getJsonArray("events", new JsonArray())), json.getJsonObject("error"), json.getString("client_id"),
        json.getJsonArray("conversation"), json.getJsonArray("input_items"), json.getJsonObject("background"));
  }
}
