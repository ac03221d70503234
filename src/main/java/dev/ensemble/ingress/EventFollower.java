package dev.ensemble.ingress;

import dev.ensemble.wire.Sse;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A client of {@code /api/v1/responses/{id}/events} following a response still in progress. The journal calls
 * it from its own event loop; every call hops to the follower's connection context, which keeps the events in
 * order and does the encoding off the producer's loop.
 */
final class EventFollower implements Follower {

  private final Context context;
  private final HttpServerResponse out;
  private final long afterSeq;

  /** A follower that wants the events after {@code afterSeq} ({@code -1}: all of them). */
  EventFollower(Context context, HttpServerResponse out, long afterSeq) {
    this.context = context;
    this.out = out;
    this.afterSeq = afterSeq;
  }

  @Override
  public long afterSeq() {
    return afterSeq;
  }

  @Override
  public void replay(List<JsonObject> events) {
    if (!events.isEmpty()) {
      context.runOnContext(v -> events.forEach(this::write));
    }
  }

  @Override
  public void event(JsonObject event) {
    if (event.getLong("seq") > afterSeq) {
      context.runOnContext(v -> write(event));
    }
  }

  @Override
  public void end() {
    context.runOnContext(v -> {
      if (!out.closed() && !out.ended()) {
        out.end();
      }
    });
  }

  private void write(JsonObject event) {
    if (!out.closed() && !out.ended()) {
      out.write(Sse.event(event.getLong("seq"), event.getString("type"), event.encode()));
    }
  }
}
