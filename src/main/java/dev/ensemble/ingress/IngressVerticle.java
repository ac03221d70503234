package dev.ensemble.ingress;

import dev.ensemble.config.ServerConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.function.Function;

/**
 * The HTTP face of a node: one instance per event loop, all sharing one port (HTTP/1.1 and h2c). Serves the
 * router the node assembles for it ({@link IngressRoutes}, the admin API, {@code /metrics}); holds no mutable
 * state of its own.
 */
public final class IngressVerticle extends VerticleBase {

  /** Room for a WebSocket frame's own fields around a request body of {@code max_body_bytes}. */
  private static final int WEBSOCKET_ENVELOPE_BYTES = 4096;

  private final ServerConfig server;
  private final Function<Vertx, Router> routes;
  private HttpServer httpServer;

  /** {@code routes} builds this instance's router on its own Vert.x at start. */
  public IngressVerticle(ServerConfig server, Function<Vertx, Router> routes) {
    this.server = server;
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
        .setMaxWebSocketFrameSize(webSocketMessageLimit())
        .setMaxWebSocketMessageSize(webSocketMessageLimit());
    httpServer = vertx.createHttpServer(options).requestHandler(router);
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
