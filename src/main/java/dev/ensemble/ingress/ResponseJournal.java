package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
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
  private final JsonArray events = new JsonArray();
  private final StreamAccumulator accumulator = new StreamAccumulator();
  private GatewayError error;

  ResponseJournal(ResponseContext context, String clientFormat) {
    this.context = context;
    this.clientFormat = clientFormat;
  }

  void add(StreamEvent event) {
    if (event instanceof StreamEvent.Error e) {
      error = e.error();
    }
    accumulator.accept(event);
    events.add(event.toJson().put("seq", events.size()));
  }

  boolean isEmpty() {
    return events.isEmpty();
  }

  /** The persisted form: completed if the answer reached its end, failed (and truncated) otherwise. */
  ResponseRecord record(ClientDialect dialect, String provider, String endpoint, BigDecimal cost) {
    UnifiedResponse answer = accumulator.response();
    boolean completed = accumulator.ended() && error == null;
    String stopReason = answer.stopReason() == null ? null : answer.stopReason().wireName();
    UnifiedResponse shown = completed ? answer
        : new UnifiedResponse(answer.id(), answer.model(), answer.content(), StopReason.ERROR, null, answer.usage());
    JsonObject errorJson = error == null ? null : new JsonObject().put("status", error.status())
        .put("type", error.type().wireName()).put("message", error.getMessage());
    return new ResponseRecord(context.requestId(), completed ? ResponseRecord.Status.COMPLETED : ResponseRecord.Status.FAILED,
        clientFormat, context.model(), provider, endpoint, Instant.ofEpochSecond(context.createdEpochSeconds()), Instant.now(),
        answer.text(), stopReason, answer.usage(), cost, !completed, dialect.encodeResponse(shown, context), events, errorJson);
  }
}
