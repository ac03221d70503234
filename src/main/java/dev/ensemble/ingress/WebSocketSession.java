package dev.ensemble.ingress;

import dev.ensemble.cache.CacheDirectives;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.RequestJson;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.MultiMap;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client WebSocket on {@code /v1/ws}, confined to its event loop. Text frames from the client are
 * {@code {"type":"request","id":"c1","format":"openai"|"anthropic","body":{...}}} (admitted, routed and run like an
 * HTTP request, always streamed: each answer arrives as unified events through its {@link WebSocketChannel}) and
 * {@code {"type":"cancel","id":"c1"}}; a request frame may carry {@code "cache_control": "no-cache"} (or {@code no-store}),
 * the {@code Cache-Control} of an HTTP request. Up to {@link #MAX_IN_FLIGHT} requests run at once, each under its own id. A
 * frame that cannot be served gets an {@code error} event naming the problem and the socket stays open: a request
 * frame refused before its answer started (bad format or body, unknown model, admission) gets it as that answer's
 * only event, {@code seq} 0; a frame that starts no answer (not JSON, no id, an unknown type, an id already in
 * flight, a cancel of no request) gets it without {@code seq} ({@code request} is the frame's id, or null).
 *
 * <p>The socket's write queue is shared: an answer that finds it full pauses its upstream and waits for the
 * drain, so a slow reader holds every upstream back instead of growing the gateway's memory. The gateway pings
 * every {@code pingIntervalMs} and closes a socket it has not heard from (pong or frame) for two intervals.
 * Closing the socket is a disconnect for every request in flight: the client's {@code on_disconnect} decides.
 *
 * <p>When its node stops taking new requests (the drain's grace is over) the session refuses new request frames
 * with a retryable 503 {@code error} event, lets the answers in flight run to their end, then closes the socket with
 * 1012 (service restart): the client reconnects and the load balancer sends it to another node.
 */
final class WebSocketSession {

  static final int MAX_IN_FLIGHT = 32;
  private static final int MAX_ID_LENGTH = 256;
  private static final Logger LOG = LoggerFactory.getLogger(WebSocketSession.class);

  private final Vertx vertx;
  private final ServerWebSocket socket;
  private final WebSocketHandler services;
  private final ClientAccount account;
  private final RoutingHints hints;
  private final long pingIntervalMs;
  private final Map<String, WebSocketChannel> inFlight = new HashMap<>();
  private List<Handler<Void>> drainWaiters = new ArrayList<>();
  private long lastHeardNanos = System.nanoTime();
  private long pingTimer = -1;
  private boolean closing;
  private final Runnable onRefusing;

  WebSocketSession(Vertx vertx, ServerWebSocket socket, WebSocketHandler services, ClientAccount account, RoutingHints hints,
      long pingIntervalMs) {
    this.vertx = vertx;
    this.socket = socket;
    this.services = services;
    this.account = account;
    this.hints = hints;
    this.pingIntervalMs = pingIntervalMs;
    io.vertx.core.Context own = vertx.getOrCreateContext();
    this.onRefusing = () -> own.runOnContext(v -> closeForRestart());
  }

  void start() {
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(b -> {
      heard();
      reject(null, GatewayError.invalid(null, "Send JSON text frames, not binary frames"));
    });
    socket.pongHandler(b -> heard());
    socket.drainHandler(v -> drained());
    socket.exceptionHandler(e -> LOG.debug("websocket error: {}", e.toString()));
    socket.closeHandler(v -> closed());
    pingTimer = vertx.setPeriodic(pingIntervalMs, t -> ping());
    services.lifecycle().onRefusing(onRefusing);
  }

  /** The node takes no new requests: the socket closes once its answers in flight have ended. */
  private void closeForRestart() {
    closing = true;
    if (inFlight.isEmpty() && !socket.isClosed()) {
      socket.close((short) 1012, "The node is restarting; reconnect");
    }
  }

  private void onText(String text) {
    heard();
    JsonObject frame;
    try {
      frame = RequestJson.object(text, "frame");
    } catch (GatewayError e) {
      reject(null, e);
      return;
    }
    String id = frame.getValue("id") instanceof String s && !s.isEmpty() && s.length() <= MAX_ID_LENGTH ? s : null;
    if (id == null) {
      reject(null, GatewayError.invalid("id", "Every frame needs an id: a non-empty string of at most " + MAX_ID_LENGTH + " characters"));
      return;
    }
    Object type = frame.getValue("type");
    if ("request".equals(type)) {
      request(id, frame);
    } else if ("cancel".equals(type)) {
      cancel(id);
    } else {
      reject(id, GatewayError.invalid("type", "Unknown frame type " + (type == null ? "(none)" : "'" + type + "'")
          + ": send \"request\" or \"cancel\""));
    }
  }

  private void request(String id, JsonObject frame) {
    if (inFlight.containsKey(id)) {
      reject(id, GatewayError.invalid("id", "A request with id '" + id + "' is already in flight on this socket"));
      return;
    }
    if (closing) {
      refuse(id, new GatewayError(ErrorType.OVERLOADED, 503, "This node is shutting down and takes no new requests; reconnect",
          true, 1L, null));
      return;
    }
    if (inFlight.size() >= MAX_IN_FLIGHT) {
      refuse(id, new GatewayError(ErrorType.RATE_LIMITED, 429, "At most " + MAX_IN_FLIGHT
          + " requests may be in flight on one socket; wait for one to end", true, null, null));
      return;
    }
    ClientDialect dialect = services.dialect(frame.getValue("format"));
    if (dialect == null) {
      refuse(id, GatewayError.invalid("format", "format must be one of " + services.formats()));
      return;
    }
    if (!(frame.getValue("body") instanceof JsonObject body)) {
      refuse(id, GatewayError.invalid("body", "body must be a JSON object: the request in its format"));
      return;
    }
    account.admit().onComplete(admitted -> {
      if (admitted.failed()) {
        refuse(id, GatewayError.from(admitted.cause()));
      } else {
        serve(id, dialect, body, hints, CacheDirectives.parse(frame.getValue("cache_control") instanceof String s ? s : null));
      }
    });
  }

  private void serve(String id, ClientDialect dialect, JsonObject body, RoutingHints hints, CacheDirectives directives) {
    long now = System.currentTimeMillis();
    try {
      ClientCall call = dialect.decode(body, MultiMap.caseInsensitiveMultiMap());
      if (call.continuesFrom() != null) {
        throw GatewayError.invalid("previous_response_id", "previous_response_id is served on POST /v1/responses, not on /v1/ws: "
            + "send the whole conversation");
      }
      UnifiedRequest request = call.request().toBuilder().stream(true).build();
      RoutingHints routing = hints.session() == null && call.sessionKey() != null ? RoutingHints.of(call.sessionKey()) : hints;
      WebSocketChannel channel = new WebSocketChannel(this, id);
      ResponseContext context = new ResponseContext(RequestIds.next(now), request.model(), now / 1000, call.echo());
      inFlight.put(id, channel);
      try {
        services.launcher().launch(vertx, channel, dialect, null, call.withRequest(request), routing, context, account, directives);
      } catch (GatewayError e) {
        inFlight.remove(id, channel);
        throw e;
      }
    } catch (GatewayError e) {
      refuse(id, e);
    }
  }

  private void cancel(String id) {
    WebSocketChannel channel = inFlight.get(id);
    if (channel == null) {
      reject(id, new GatewayError(ErrorType.NOT_FOUND, 404, "No request with id '" + id + "' is in flight on this socket", false, null, null));
      return;
    }
    channel.cancel();
  }

  /** An error event for a frame that starts no answer (no {@code seq}). */
  private void reject(String id, GatewayError error) {
    send(errorEvent(id, error));
  }

  /** The whole answer to request {@code id} refused before it started: its error as event {@code seq} 0. */
  private void refuse(String id, GatewayError error) {
    send(errorEvent(id, error).put("seq", 0));
  }

  private static JsonObject errorEvent(String id, GatewayError error) {
    return new JsonObject().put("type", "error").put("request", id).put("error", new JsonObject()
        .put("status", error.status()).put("type", error.type().wireName()).put("message", error.getMessage())
        .put("retryable", error.retryable()));
  }

  void send(JsonObject event) {
    if (!socket.isClosed()) {
      socket.writeTextMessage(event.encode());
    }
  }

  boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  void whenDrained(Handler<Void> handler) {
    drainWaiters.add(handler);
  }

  void finished(String id, WebSocketChannel channel) {
    inFlight.remove(id, channel);
    if (closing && inFlight.isEmpty()) {
      // the terminal event was queued first: the close frame follows it
      closeForRestart();
    }
  }

  private void drained() {
    List<Handler<Void>> waiting = drainWaiters;
    drainWaiters = new ArrayList<>();
    waiting.forEach(h -> h.handle(null));
  }

  private void heard() {
    lastHeardNanos = System.nanoTime();
  }

  private void ping() {
    if (System.nanoTime() - lastHeardNanos > 2 * pingIntervalMs * 1_000_000) {
      socket.close((short) 1001, "No pong for " + 2 * pingIntervalMs + " ms");
      return;
    }
    if (!socket.isClosed()) {
      socket.writePing(Buffer.buffer("ensemble"));
    }
  }

  private void closed() {
    vertx.cancelTimer(pingTimer);
    services.lifecycle().removeListener(onRefusing);
    List<WebSocketChannel> channels = new ArrayList<>(inFlight.values());
    inFlight.clear();
    drainWaiters = new ArrayList<>();
    channels.forEach(WebSocketChannel::gone);
  }
}
