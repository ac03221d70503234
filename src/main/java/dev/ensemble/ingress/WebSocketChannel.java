package dev.ensemble.ingress;

import dev.ensemble.cache.Lookup;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.routing.RoutingDecision;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One request on a {@link WebSocketSession}: every unified event of its answer is one text frame, the event's
 * JSON with {@code seq} (0, 1, 2, ... per request, as persisted) and {@code request} (the client's id). An error
 * before the first event is a single {@code error} event. A cancel sends a final {@code error} event of status
 * 499, type {@code cancelled}, and stops the upstream; nothing is sent for the request after that.
 */
final class WebSocketChannel implements ClientChannel {

  private final WebSocketSession session;
  private final String id;
  private int seq;
  private boolean finished;
  private boolean cancelled;
  private boolean gone;
  private JsonObject terminal;
  private JsonObject cache;
  private Handler<Void> onGone;
  private Handler<Void> onCancel;

  WebSocketChannel(WebSocketSession session, String id) {
    this.session = session;
    this.id = id;
  }

  @Override
  public void routed(RoutingDecision decision, int attempts) {
  }

  @Override
  public void cached(Lookup lookup, long nowMillis) {
    cache = new JsonObject().put("status", lookup.status().name());
    if (lookup.hit()) {
      cache.put("age", lookup.entry().ageSeconds(nowMillis));
      if (lookup.status() == dev.ensemble.cache.CacheStatus.SEMANTIC_HIT) {
        cache.put("similarity", lookup.similarity());
      }
    }
  }

  @Override
  public void beginStream(UnifiedRequest request) {
  }

  /** The terminal event waits for {@link #end()}: by then the answer is queued for persistence and readable. */
  @Override
  public void write(StreamEvent event) {
    if (event instanceof StreamEvent.Native) {
      return;
    }
    if (event instanceof StreamEvent.ResponseEnd || event instanceof StreamEvent.Error) {
      terminal = event.toJson();
    } else if (event instanceof StreamEvent.ResponseStart && cache != null) {
      send(event.toJson().put("cache", cache));
    } else {
      send(event.toJson());
    }
  }

  @Override
  public void end() {
    if (terminal != null) {
      send(terminal);
    }
    finish();
  }

  @Override
  public void answer(UnifiedResponse answer, List<StreamEvent> events) {
    events.forEach(this::write);
    end();
  }

  @Override
  public void fail(GatewayError error) {
    send(new StreamEvent.Error(error).toJson());
    finish();
  }

  @Override
  public boolean started() {
    return seq > 0;
  }

  @Override
  public boolean closed() {
    return cancelled || gone;
  }

  @Override
  public boolean cancelled() {
    return cancelled;
  }

  @Override
  public boolean writeQueueFull() {
    return session.writeQueueFull();
  }

  @Override
  public void onDrain(Handler<Void> handler) {
    session.whenDrained(handler);
  }

  @Override
  public void onGone(Handler<Void> handler) {
    onGone = handler;
    if (gone) {
      handler.handle(null);
    }
  }

  @Override
  public void onCancel(Handler<Void> handler) {
    onCancel = handler;
    if (cancelled) {
      handler.handle(null);
    }
  }

  /** The client sent {@code cancel} for this request: the upstream stops first, then the final event goes out. */
  void cancel() {
    if (finished || cancelled || gone) {
      return;
    }
    cancelled = true;
    if (onCancel != null) {
      onCancel.handle(null);
    }
    session.send(new JsonObject().put("type", "error").put("error", new JsonObject().put("status", 499).put("type", "cancelled")
        .put("message", "The request was cancelled by the client").put("retryable", false)).put("seq", seq++).put("request", id));
    finish();
  }

  /** The socket closed. */
  void gone() {
    if (gone) {
      return;
    }
    gone = true;
    if (onGone != null) {
      onGone.handle(null);
    }
  }

  private void send(JsonObject event) {
    if (closed() || finished) {
      return;
    }
    session.send(event.put("seq", seq++).put("request", id));
  }

  private void finish() {
    if (!finished) {
      finished = true;
      session.finished(id, this);
    }
  }
}
