package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamBody;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.AnswerBody;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.RecordEvents;
import dev.ensemble.persistence.ResponseRecord;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of one answer as it is produced: every unified event numbered by {@code seq}, and the
 * complete answer rebuilt from them, ready to be persisted. Events are kept as the immutable {@link StreamEvent}s
 * they arrive as (their JSON form is made when a follower replays them, and written straight from them when the
 * answer is stored: {@link RecordEvents}): a JSON tree per event held for the whole of a long stream would cost several
 * hundred bytes per token. A non-streamed answer's body is rendered once ({@link #renderedAnswer()}), or is the
 * upstream's own bytes when the client speaks the upstream's format ({@link #whole}): the client is sent those bytes
 * and the record keeps the same Buffer; a streamed answer's body, which its client never gets, is rendered by the
 * store's writer thread, not here. Confined to the exchange's event loop
 * ({@code owner}); other connections reach it only through {@link #follow}, {@link #unfollow} and
 * {@link #view}, which run there. While it is live ({@link LiveResponses}) followers get every new event; an
 * append with nobody following costs one emptiness check.
 */
final class ResponseJournal {

  private final Context owner;
  private final InflightJournal crashJournal;
  private final ResponseContext context;
  private final ClientDialect dialect;
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
  /** The complete answer's body in the client's format: rendered at most once, by whoever needs it first. */
  private AnswerBody answerBody;
  /** The upstream's own bytes of a whole (not streamed) answer, which a client of the upstream's format is sent as they are. */
  private UpstreamBody upstreamBody;
  private Handler<GatewayError> onAbort;
  /** The events of the current upstream read, for the crash journal in one hand-over at the read's end. */
  private final CrashJournalBatch toCrashJournal;

  ResponseJournal(Context owner, ResponseContext context, ClientDialect dialect, String clientId) {
    this(owner, context, dialect, clientId, InflightJournal.disabled());
  }

  /**
   * @param dialect      the client's format, which renders the answer's body
   * @param crashJournal where every event is also journalled, for recovery after a crash
   */
  ResponseJournal(Context owner, ResponseContext context, ClientDialect dialect, String clientId, InflightJournal crashJournal) {
    this.crashJournal = crashJournal;
    this.owner = owner;
    this.context = context;
    this.dialect = dialect;
    this.clientFormat = dialect.name();
    this.clientId = clientId;
    this.toCrashJournal = new CrashJournalBatch(accumulator, events,
        (batch, seqs, count) -> crashJournal.events(context.requestId(), batch, seqs, count));
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
    int seq = events.size();
    events.add(event);
    // the crash journal's writer thread renders the event; its JSON is made here only for followers. Before the
    // accumulator takes it: a run of deltas it releases is still the open block's text there.
    toCrashJournal.add(seq, event);
    accumulator.accept(event);
    if (event instanceof StreamEvent.ResponseEnd || event instanceof StreamEvent.Error) {
      endOfRead(); // the answer's last event: nothing waits for a read's end
    }
    appended(event.type(), followers.isEmpty() ? null : event.toJson().put("seq", seq));
  }

  /**
   * The events of one upstream read are all {@link #add}ed: they go to the crash journal now, deltas still held as one,
   * in one hand-over, so that nothing waits there for the next read.
   */
  void endOfRead() {
    toCrashJournal.endOfRead();
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
    endOfRead();
    crashJournal.event(context.requestId(), event);
    appended("error", event);
  }

  /**
   * The answer ends with {@code error} after it began (the upstream's stream broke or sent an error, or the node's drain
   * deadline passed): {@code error} is its last event and {@code usage} (what the upstream reported up to there, or
   * partly estimated as for a cancel) its usage; it is persisted as failed and truncated.
   */
  void interrupted(GatewayError error, Usage usage) {
    partialUsage = usage;
    add(new StreamEvent.Error(error));
  }

  /** The error the answer ended with (an {@code error} event), null while it has none. */
  GatewayError error() {
    return error;
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
        .put("usage", accumulator.usage().counted().toJson())
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

  /** The whole answer when it reached its end cleanly (no error, not cancelled), else null. */
  UnifiedResponse completedAnswer() {
    return accumulator.ended() && error == null && cancelled == null ? accumulator.response() : null;
  }

  /**
   * The complete answer's body in the client's format, rendered once: the bytes a client that asked for a JSON body is
   * sent, and the body its record keeps (the same Buffer; neither changes it). Null when the answer did not complete
   * cleanly with the upstream's own usage (its stored body is then not what a client would be sent).
   */
  Buffer renderedAnswer() {
    return completedAnswer() != null && partialUsage == null ? completedBody().bytes() : null;
  }

  /**
   * The complete answer's body, not rendered yet: here when the client is sent it ({@link #renderedAnswer()}), else by
   * the store's writer thread (a stream's client got events, a WebSocket's too). Either way once.
   */
  private AnswerBody completedBody() {
    if (answerBody == null) {
      UnifiedResponse answer = accumulator.response();
      Buffer passed = upstreamBody == null ? null : dialect.passThrough(answer.withUpstreamBody(upstreamBody), context);
      answerBody = passed != null ? AnswerBody.of(passed) : AnswerBody.later(g -> dialect.writeResponse(answer, context, g));
    }
    return answerBody;
  }

  /**
   * The answer came whole rather than streamed, as {@code answer} (its events are {@link #add}ed by the caller): when the
   * client speaks the upstream's format, its body is the upstream's own bytes ({@link UnifiedResponse#upstreamBody()},
   * {@link ClientDialect#passThrough}) rather than a rendering.
   */
  void whole(UnifiedResponse answer) {
    upstreamBody = answer.upstreamBody();
  }

  /** The persisted form: completed if the answer reached its end, failed (and truncated) otherwise. */
  ResponseRecord record(ClientDialect dialect, ClientCall call, String provider, String endpoint, BigDecimal cost) {
    return record(dialect, call, provider, endpoint, cost, null);
  }

  /**
   * The persisted form; with {@code background} (where OpenAI runs it, see {@link BackgroundResponses}) the answer is
   * a background response not finished yet: {@code in_progress}, without a conversation until a poll settles it.
   * The body is the Buffer the client was sent when it asked for a JSON body; for a stream, or an answer that did not
   * complete, it is rendered when the store writes it. The events go to the record as kept, not as JSON.
   */
  ResponseRecord record(ClientDialect dialect, ClientCall call, String provider, String endpoint, BigDecimal cost, JsonObject background) {
    endOfRead(); // whatever the crash journal has not been handed yet goes before the answer's end there
    UnifiedResponse accumulated = accumulator.response();
    UnifiedResponse answer = partialUsage == null ? accumulated : accumulated.ended(accumulated.stopReason(), partialUsage);
    boolean completed = accumulator.ended() && error == null && cancelled == null;
    String stopReason = answer.stopReason() == null ? null : answer.stopReason().wireName();
    UnifiedResponse shown = completed ? answer : answer.ended(StopReason.ERROR, answer.usage());
    JsonObject errorJson = cancelled != null ? cancelled : error == null ? null : new JsonObject().put("status", error.status())
        .put("type", error.type().wireName()).put("message", error.getMessage());
    boolean pending = completed && background != null;
    ResponseRecord.Status status = pending ? ResponseRecord.Status.IN_PROGRESS
        : completed ? ResponseRecord.Status.COMPLETED : ResponseRecord.Status.FAILED;
    AnswerBody body = completed && partialUsage == null ? completedBody() : AnswerBody.later(g -> dialect.writeResponse(shown, context, g));
    finished = new ResponseRecord(context.requestId(), status,
        clientFormat, context.model(), provider, endpoint, Instant.ofEpochSecond(context.createdEpochSeconds()), pending ? null : Instant.now(),
        answer.text(), stopReason, answer.usage(), cost, !completed, body, RecordEvents.of(events), errorJson, clientId,
        completed && !pending ? dialect.conversation(call, answer) : null, dialect.inputItems(call, context.requestId()),
        pending ? background.copy().put("history", dialect.conversation(call, answer)) : null);
    return finished;
  }
}
