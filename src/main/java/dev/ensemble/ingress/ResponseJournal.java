package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.ResponseRecord;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * The record of one answer as it is produced: every unified event numbered by {@code seq}, and the
 * complete answer rebuilt from them, ready to be persisted. Confined to the exchange's event loop.
 */
final class ResponseJournal {

  private final ResponseContext context;
  private final String clientFormat;
  private final String clientId;
  private final JsonArray events = new JsonArray();
  private final StreamAccumulator accumulator = new StreamAccumulator();
  private GatewayError error;
  private JsonObject cancelled;
  private Usage partialUsage;

  ResponseJournal(ResponseContext context, String clientFormat, String clientId) {
    this.context = context;
    this.clientFormat = clientFormat;
    this.clientId = clientId;
  }

  void add(StreamEvent event) {
    if (event instanceof StreamEvent.Error e) {
      error = e.error();
    }
    accumulator.accept(event);
    events.add(event.toJson().put("seq", events.size()));
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
    events.add(new JsonObject().put("type", "error").put("error", cancelled.copy().put("retryable", false)).put("seq", events.size()));
  }

  boolean isEmpty() {
    return events.isEmpty();
  }

  /** The persisted form: completed if the answer reached its end, failed (and truncated) otherwise. */
  ResponseRecord record(ClientDialect dialect, String provider, String endpoint, BigDecimal cost) {
    UnifiedResponse accumulated = accumulator.response();
    UnifiedResponse answer = partialUsage == null ? accumulated : new UnifiedResponse(accumulated.id(), accumulated.model(),
        accumulated.content(), accumulated.stopReason(), accumulated.stopSequence(), partialUsage);
    boolean completed = accumulator.ended() && error == null && cancelled == null;
    String stopReason = answer.stopReason() == null ? null : answer.stopReason().wireName();
    UnifiedResponse shown = completed ? answer
        : new UnifiedResponse(answer.id(), answer.model(), answer.content(), StopReason.ERROR, null, answer.usage());
    JsonObject errorJson = cancelled != null ? cancelled : error == null ? null : new JsonObject().put("status", error.status())
        .put("type", error.type().wireName()).put("message", error.getMessage());
    return new ResponseRecord(context.requestId(), completed ? ResponseRecord.Status.COMPLETED : ResponseRecord.Status.FAILED,
        clientFormat, context.model(), provider, endpoint, Instant.ofEpochSecond(context.createdEpochSeconds()), Instant.now(),
        answer.text(), stopReason, answer.usage(), cost, !completed, dialect.encodeResponse(shown, context), events, errorJson, clientId);
  }
}
