package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamBody;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.ResponseRecord;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of one answer as it is produced: every unified event numbered by {@code seq}, and the
 * complete answer rebuilt from them, ready to be persisted. Events are kept as the immutable {@link StreamEvent}s
 * they arrive as (their JSON form is made again when a follower replays them or the answer is persisted): a JSON
 * tree per event held for the whole of a long stream would cost several hundred bytes per token. Confined to the exchange's event loop
 * ({@code owner}); other connections reach it only through {@link #follow}, {@link #unfollow} and
 * {@link #view}, which run there. While it is live ({@link LiveResponses}) followers get every new event; an
 * append with nobody following costs one emptiness check.
 */
final class ResponseJournal {

  private final Context owner;
  private final InflightJournal crashJournal;
  private final ResponseContext context;
  private final String clientFormat;
  private final String clientId;
  /** Each event in {@code seq} order: a {@link StreamEvent}, or the JSON of an event the gateway made itself (a cancel). */
  private final List<Object> events = new ArrayList<>();
  private final StreamAccumulator accumulator = new StreamAccumulator();
  private GatewayError error;
  private JsonObject cancelled;
  private Usage partialUsage;
  private final List<Follower> followers = new ArrayList<>(0);
  private final List<Runnable> onClose = new ArrayList<>(0);
  private boolean terminated;
  private boolean closed;
  private String routedProvider;
  private String routedEndpoint;
  private ResponseRecord finished;
  private Handler<GatewayError> onAbort;
  /** The answer came whole (not streamed): its record holds the bytes the client is sent ({@link #renderedAnswer()}). */
  private boolean whole;
  /** The upstream's own bytes of the whole answer, which a client of the upstream's format is sent as they are. */
  private UpstreamBody upstreamBody;

  ResponseJournal(Context owner, ResponseContext context, String clientFormat, String clientId) {
    this(owner, context, clientFormat, clientId, InflightJournal.disabled());
  }

  /** @param crashJournal where every event is also journalled, for recovery after a crash */
  ResponseJournal(Context owner, ResponseContext context, String clientFormat, String clientId, InflightJournal crashJournal) {
    this.crashJournal = crashJournal;
    this.owner = owner;
    this.context = context;
    this.clientFormat = clientFormat;
    this.clientId = clientId;
  }

  /**
   * Records one event. A {@link StreamEvent.Native} event (a passthrough's own) only completes the answer's native
   * body; it is not one of the unified events followers and the crash journal see.
   */
  void add(StreamEvent event) {
    if (event instanceof StreamEvent.Native) {
      accumulator.accept(event);
      return;
    }
    if (event instanceof StreamEvent.Error e) {
      error = e.error();
    }
    if (event instanceof StreamEvent.ResponseStart start) {
      routedProvider = start.provider();
      routedEndpoint = start.endpoint();
    }
    accumulator.accept(event);
    int seq = events.size();
    events.add(event);
    // the crash journal's writer thread renders the event; its JSON is made here only for followers
    crashJournal.event(context.requestId(), seq, event);
    appended(event.type(), followers.isEmpty() ? null : event.toJson().put("seq", seq));
  }

  /**
   * The answer came whole rather than streamed, as {@code answer} (its events are {@link #add}ed by the caller): its
   * record renders it once, as the bytes both the client and the store get, or passes the upstream's own bytes
   * ({@link UnifiedResponse#upstreamBody()}) when the client speaks the upstream's format.
   */
  void whole(UnifiedResponse answer) {
    whole = true;
    upstreamBody = answer.upstreamBody();
  }

  /**
   * The client went away and the upstream was cancelled ({@code on_disconnect: cancel}): the answer ends
   * with an {@code error} event of status 499 {@code client_disconnected} (the client never saw it) and is
   * persisted as failed and truncated, with {@code usage} (partly estimated) as its usage.
   */
  void cancelledByClient(String message, Usage usage) {
    cancelledByClient("client_disconnected", message, usage);
  }

  /** As {@link #cancelledByClient(String, Usage)}, with the error type: {@code cancelled} when the client asked for it. */
  void cancelledByClient(String type, String message, Usage usage) {
    cancelled = new JsonObject().put("status", 499).put("type", type).put("message", message);
    partialUsage = usage;
    JsonObject event = new JsonObject().put("type", "error").put("error", cancelled.copy().put("retryable", false));
    int seq = events.size();
    events.add(event.copy());
    event.put("seq", seq);
    crashJournal.event(context.requestId(), event);
    appended("error", event);
  }

  /**
   * The answer is ended by the gateway itself (the node's drain deadline passed): {@code error} is its last event and
   * {@code usage} (partly estimated, as for a cancel) its usage; it is persisted as failed and truncated.
   */
  void interrupted(GatewayError error, Usage usage) {
    partialUsage = usage;
    add(new StreamEvent.Error(error));
  }

  /** Who ends this answer when the node must stop it ({@link #abort}); set by its exchange on the owner's loop. */
  void onAbort(Handler<GatewayError> handler) {
    onAbort = handler;
  }

  /** Ends the answer now with {@code error}, on its own event loop, unless it already ended. Safe from any thread. */
  void abort(GatewayError error) {
    owner.runOnContext(v -> {
      if (!terminated && !closed && onAbort != null) {
        onAbort.handle(error);
      }
    });
  }

  /** An event of {@code type} was kept: its JSON form {@code event} (with its {@code seq}; null with nobody following) goes to the followers. */
  private void appended(String type, JsonObject event) {
    if ("response.end".equals(type) || "error".equals(type)) {
      terminated = true;
    }
    if (followers.isEmpty()) {
      return;
    }
    for (Follower follower : followers) {
      follower.event(event);
      if (terminated) {
        follower.end();
      }
    }
    if (terminated) {
      followers.clear();
    }
  }

  /** The client format the response is rendered in. Safe from any thread. */
  String clientFormat() {
    return clientFormat;
  }

  /** Whose response this is: only that client (or the admin) may read it. Safe from any thread. */
  String clientId() {
    return clientId;
  }

  /**
   * Sends {@code follower} the events after its {@code afterSeq}, then every new one until the terminal event (or
   * until the response is retired without one), then ends it. Safe from any thread.
   */
  void follow(Follower follower) {
    owner.runOnContext(v -> {
      List<JsonObject> replay = new ArrayList<>();
      for (int i = (int) Math.max(0, Math.min(follower.afterSeq() + 1, events.size())); i < events.size(); i++) {
        replay.add(eventJson(i));
      }
      follower.replay(replay);
      if (terminated || closed) {
        follower.end();
      } else {
        followers.add(follower);
      }
    });
  }

  /** Stops sending to a follower whose connection closed. Safe from any thread. */
  void unfollow(Follower follower) {
    owner.runOnContext(v -> followers.remove(follower));
  }

  /**
   * What {@code GET /api/v1/responses/{id}} shows now, handed to {@code view} on {@code replyOn}: the persisted
   * view once the answer is finished, else {@code in_progress} with the text so far. Safe from any thread.
   */
  void view(Context replyOn, Handler<JsonObject> view) {
    owner.runOnContext(v -> {
      JsonObject now = finished != null ? finished.publicJson() : inProgressView();
      replyOn.runOnContext(x -> view.handle(now));
    });
  }

  private JsonObject inProgressView() {
    return new JsonObject()
        .put("id", context.requestId())
        .put("status", ResponseRecord.Status.IN_PROGRESS.wireName())
        .put("model", context.model())
        .put("provider", routedProvider)
        .put("endpoint", routedEndpoint)
        .put("created_at", Instant.ofEpochSecond(context.createdEpochSeconds()).toString())
        .put("completed_at", null)
        .put("text", accumulator.response().text())
        .put("stop_reason", null)
        .put("usage", accumulator.usage().toJson())
        .put("cost_usd", null)
        .put("truncated", false)
        .put("error", null)
        .put("body", null);
  }

  /**
   * The finished record (null while the answer is still being produced) and, for a client format that renders it,
   * the answer so far as {@code dialect} would render it, handed to {@code then} on {@code replyOn}. Safe from any thread.
   */
  void snapshot(Context replyOn, ClientDialect dialect, java.util.function.BiConsumer<ResponseRecord, JsonObject> then) {
    owner.runOnContext(v -> {
      ResponseRecord done = finished;
      JsonObject partial = done != null ? null : dialect.encodeResponse(accumulator.response(), context);
      replyOn.runOnContext(x -> then.accept(done, partial));
    });
  }

  /**
   * Calls {@code then} on {@code replyOn} once the response has left the live registry (stored, or not to be), at
   * once if it already has. Safe from any thread.
   */
  void whenClosed(Context replyOn, Handler<Void> then) {
    owner.runOnContext(v -> {
      if (closed) {
        replyOn.runOnContext(then);
      } else {
        onClose.add(() -> replyOn.runOnContext(then));
      }
    });
  }

  /** The response left the live registry: followers still waiting are ended. */
  void close() {
    closed = true;
    onClose.forEach(Runnable::run);
    onClose.clear();
    followers.forEach(Follower::end);
    followers.clear();
  }

  boolean isEmpty() {
    return events.isEmpty();
  }

  /** The JSON form of event {@code seq}, as followers and the persisted record see it. */
  private JsonObject eventJson(int seq) {
    Object kept = events.get(seq);
    JsonObject json = kept instanceof StreamEvent event ? event.toJson() : ((JsonObject) kept).copy();
    return json.put("seq", seq);
  }

  private JsonArray eventsJson() {
    JsonArray all = new JsonArray(new ArrayList<>(events.size()));
    for (int seq = 0; seq < events.size(); seq++) {
      all.add(eventJson(seq));
    }
    return all;
  }

  /** The whole answer when it reached its end cleanly (no error, not cancelled), else null. */
  UnifiedResponse completedAnswer() {
    return accumulator.ended() && error == null && cancelled == null ? accumulator.response() : null;
  }

  /**
   * The bytes of the complete answer in the client's format, once {@link #record} built them for a {@link #whole} answer
   * that completed with the upstream's own usage; else null (nothing rendered yet, or what was rendered is not what the
   * client gets). The record and the client share the buffer; neither changes it.
   */
  Buffer renderedAnswer() {
    return finished != null && finished.status() != ResponseRecord.Status.FAILED && partialUsage == null ? finished.bodyBytes() : null;
  }

  /** The persisted form: completed if the answer reached its end, failed (and truncated) otherwise. */
  ResponseRecord record(ClientDialect dialect, ClientCall call, String provider, String endpoint, BigDecimal cost) {
    return record(dialect, call, provider, endpoint, cost, null);
  }

  /**
   * The persisted form; with {@code background} (where OpenAI runs it, see {@link BackgroundResponses}) the answer is
   * a background response not finished yet: {@code in_progress}, without a conversation until a poll settles it.
   */
  ResponseRecord record(ClientDialect dialect, ClientCall call, String provider, String endpoint, BigDecimal cost, JsonObject background) {
    UnifiedResponse accumulated = accumulator.response();
    UnifiedResponse answer = partialUsage == null ? accumulated : accumulated.ended(accumulated.stopReason(), partialUsage);
    boolean completed = accumulator.ended() && error == null && cancelled == null;
    String stopReason = answer.stopReason() == null ? null : answer.stopReason().wireName();
    UnifiedResponse shown = completed ? answer : answer.ended(StopReason.ERROR, answer.usage());
    JsonObject errorJson = cancelled != null ? cancelled : error == null ? null : new JsonObject().put("status", error.status())
        .put("type", error.type().wireName()).put("message", error.getMessage());
    boolean pending = completed && background != null;
    JsonObject body = null;
    Buffer bytes = null;
    if (whole && completed && partialUsage == null) {
      bytes = upstreamBody == null ? null : dialect.passThrough(answer.withUpstreamBody(upstreamBody), context);
      if (bytes == null) {
        body = dialect.encodeResponse(shown, context);
        bytes = body.toBuffer();
      }
    } else {
      body = dialect.encodeResponse(shown, context);
    }
    ResponseRecord.Status status = pending ? ResponseRecord.Status.IN_PROGRESS
        : completed ? ResponseRecord.Status.COMPLETED : ResponseRecord.Status.FAILED;
    finished = new ResponseRecord(context.requestId(), status,
        clientFormat, context.model(), provider, endpoint, Instant.ofEpochSecond(context.createdEpochSeconds()), pending ? null : Instant.now(),
        answer.text(), stopReason, answer.usage(), cost, !completed, body, eventsJson(), errorJson, clientId,
        completed && !pending ? dialect.conversation(call, answer) : null, dialect.inputItems(call, context.requestId()),
        pending ? background.copy().put("history", dialect.conversation(call, answer)) : null, bytes);
    return finished;
  }
}
