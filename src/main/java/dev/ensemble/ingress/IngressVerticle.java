package dev.ensemble.ingress;

import dev.ensemble.config.ServerConfig;
import dev.ensemble.wire.ClientDialects;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The HTTP face of a node: one instance per event loop, all sharing one port (HTTP/1.1 and h2c). Serves the
 * router the node assembles for it ({@link IngressRoutes}, the admin API, {@code /metrics}); holds no mutable
 * state of its own. What cannot reach the router is answered here, in the caller's format: heads the HTTP
 * decoder refuses ({@link MalformedRequests}), other HTTP versions and broken chunked bodies, WebSocket frames
 * over the limit ({@link BrokenMessageGuard}); closes linger ({@link LingeringClose}); slow clients are timed out
 * ({@code server.header_read_timeout_ms} as Vert.x's read-idle timeout, {@link SlowClientGuard}); HTTP/2 connections
 * without an open stream are closed after {@code server.idle_timeout_ms} ({@link Http2IdleGuard}).
 */
public final class IngressVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(IngressVerticle.class);
  /** Room for a WebSocket frame's own fields around a request body of {@code max_body_bytes}. */
  private static final int WEBSOCKET_ENVELOPE_BYTES = 4096;

  private final ServerConfig server;
  private final ClientDialects dialects;
  private final Function<Vertx, Router> routes;
  private HttpServer httpServer;

  /** {@code routes} builds this instance's router on its own Vert.x at start; {@code dialects} format the errors sent before routing. */
  public IngressVerticle(ServerConfig server, ClientDialects dialects, Function<Vertx, Router> routes) {
    this.server = server;
    this.dialects = dialects;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    Router router = routes.apply(vertx);
    HttpServerOptions options = new HttpServerOptions()
        .setHost(server.host())
        .setPort(server.port())
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, server.headerReadTimeoutMs()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(webSocketMessageLimit())
        .setMaxWebSocketMessageSize(webSocketMessageLimit());
    MalformedRequests malformed = new MalformedRequests(options, dialects::forPath);
    SlowClientGuard guard = new SlowClientGuard(server);
    httpServer = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          guard.opened(connection);
          Http2IdleGuard.install(connection, server.idleTimeoutMs());
          BrokenMessageGuard.install(connection, dialects::forPath, webSocketMessageLimit());
          LingeringClose.install(connection);
        })
        .invalidRequestHandler(malformed.invalidHead())
        .exceptionHandler(e -> LOG.debug("connection error: {}", e.toString()))
        .requestHandler(request -> {
          guard.headRead(request);
          router.handle(request);
        });
    return httpServer.listen();
  }

  private int webSocketMessageLimit() {
    return (int) Math.min(Integer.MAX_VALUE, server.maxBodyBytes() + WEBSOCKET_ENVELOPE_BYTES);
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return httpServer.actualPort();
  }
}
