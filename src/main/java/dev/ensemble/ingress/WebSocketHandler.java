package dev.ensemble.ingress;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ClientDialects;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /v1/ws}: upgrades an authenticated request ({@link ClientAuth} ran first, so a missing or wrong key
 * was already a 401 and no upgrade) to a {@link WebSocketSession} billed to the caller. The upgrade's
 * {@code X-Ensemble-Session} header names the session of every request on the socket.
 */
final class WebSocketHandler implements Handler<RoutingContext> {

  /** How often the gateway pings an idle client; two intervals without a pong or frame close the socket. */
  static final long PING_INTERVAL_MS = 30_000;

  private final ClientDialects dialects;
  private final ChatLauncher launcher;
  private final long pingIntervalMs;
  private final NodeLifecycle lifecycle;

  WebSocketHandler(ClientDialects dialects, ChatLauncher launcher, long pingIntervalMs, NodeLifecycle lifecycle) {
    this.lifecycle = lifecycle;
    this.dialects = dialects;
    this.launcher = launcher;
    this.pingIntervalMs = pingIntervalMs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!ctx.request().canUpgradeToWebSocket()) {
      ErrorResponder.send(ctx.response(), dialects.fallback(), new GatewayError(ErrorType.INVALID_REQUEST, 426,
          "GET /v1/ws is a WebSocket endpoint: send an Upgrade: websocket request", false, null, null));
      return;
    }
    Caller caller = Caller.of(ctx);
    RoutingHints hints = RoutingHints.of(ctx.request().getHeader(Headers.SESSION));
    ctx.request().toWebSocket().onSuccess(socket ->
        new WebSocketSession(ctx.vertx(), socket, this, caller.account(), hints, pingIntervalMs).start());
  }

  /** The dialect of a frame's {@code format}, or null when it names none. */
  ClientDialect dialect(Object format) {
    return dialects.named(format);
  }

  /** The formats a frame may name, for the error that lists them. */
  String formats() {
    return dialects.names();
  }

  ChatLauncher launcher() {
    return launcher;
  }

  NodeLifecycle lifecycle() {
    return lifecycle;
  }
}
