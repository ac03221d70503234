package dev.ensemble.ingress;

import dev.ensemble.admin.AdminAuth;
import dev.ensemble.admin.ClientsHandler;
import dev.ensemble.admin.KeysHandler;
import dev.ensemble.admin.StatusHandler;
import dev.ensemble.admin.UsageHandler;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.openai.OpenAiEmbeddingsCodec;
import dev.ensemble.wire.openai.OpenAiImagesCodec;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import java.util.Map;

/**
 * The HTTP face of a node: one instance per event loop, all sharing one port (HTTP/1.1 and h2c).
 * Holds no mutable state of its own; everything it routes with is read-only or lock-free.
 */
public final class IngressVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(IngressVerticle.class);
  /** Room for a WebSocket frame's own fields around a request body of {@code max_body_bytes}. */
  private static final int WEBSOCKET_ENVELOPE_BYTES = 4096;

  private final NodeServices services;
  private final EnsembleConfig config;
  private final ClientDialect openAi;
  private final ClientDialect anthropic;
  private HttpServer server;

  public IngressVerticle(NodeServices services) {
    this.services = services;
    this.config = services.config();
    this.openAi = services.openAi();
    this.anthropic = services.anthropic();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    JsonBodyReader body = new JsonBodyReader(config.server().maxBodyBytes(), config.server().bodyReadTimeoutMs());
    Map<String, RouteConfig> routes = config.routes();

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.server().host())
        .setPort(config.server().port())
        .setTcpNoDelay(true)
        .setCompressionSupported(false)
        .setReadIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.server().headerReadTimeoutMs()))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setMaxWebSocketFrameSize(webSocketMessageLimit())
        .setMaxWebSocketMessageSize(webSocketMessageLimit());
    MalformedRequests malformed = new MalformedRequests(options, this::dialectOfPath);
    router.route().handler(malformed::checkQuery);
    ModelRouter modelRouter = services.router();
    RateLimiter rateLimiter = services.rateLimiter();
    ClientAuth clientAuth = new ClientAuth(services.clients(), config.server().requireClientKeys(), config.server().adminKey(), this::dialectOf);
    router.route("/v1/*").handler(clientAuth);
    router.route("/api/v1/responses/*").handler(clientAuth);
    router.post("/v1/chat/completions").handler(body).handler(new ChatHandler(openAi, modelRouter, rateLimiter, services.metrics(), ctx -> null, services.live()));
    router.post("/v1/messages").handler(body).handler(new ChatHandler(anthropic, modelRouter, rateLimiter, services.metrics(), ctx -> null, services.live()));
    router.post("/v1/workflows/:name").handler(body).handler(ctx -> {
      if (routes.containsKey(ctx.pathParam("name"))) {
        ctx.next();
      } else {
        ErrorResponder.send(ctx.response(), openAi, new GatewayError(ErrorType.NOT_FOUND, 404,
            "No workflow named '" + ctx.pathParam("name") + "' is configured under routes:", false, null, null));
      }
    }).handler(new ChatHandler(openAi, modelRouter, rateLimiter, services.metrics(), ctx -> routes.get(ctx.pathParam("name")), services.live()));
    router.get("/v1/ws").handler(new WebSocketHandler(openAi, anthropic, modelRouter, rateLimiter, services.metrics(), services.live(),
        WebSocketHandler.PING_INTERVAL_MS));
    OpenAiEmbeddingsCodec embeddings = new OpenAiEmbeddingsCodec();
    OpenAiImagesCodec images = new OpenAiImagesCodec();
    router.post("/v1/embeddings").handler(body).handler(new OperationHandler(openAi, modelRouter, rateLimiter, services.metrics(),
        (json, created) -> new EmbeddingsOperation(embeddings, embeddings.decodeRequest(json))));
    router.post("/v1/images/generations").handler(body).handler(new OperationHandler(openAi, modelRouter, rateLimiter, services.metrics(),
        (json, created) -> new ImagesOperation(images, images.decodeRequest(json), created)));
    router.get("/v1/models").handler(new ModelsHandler(modelRouter, services.startedAtEpochSeconds()));
    ResponsesHandler responses = new ResponsesHandler(openAi, config.server().requireClientKeys(), services.live());
    router.get("/api/v1/responses/:id").handler(responses::response);
    router.get("/api/v1/responses/:id/events").handler(responses::events);
    router.route("/admin/*").handler(new AdminAuth(config.server().adminKey()));
    router.get("/admin/status").handler(new StatusHandler(config, rateLimiter, services.startedAtEpochSeconds(), services.verticles(), services.logs(),
        services.cluster()));
    router.get("/metrics").handler(services.metrics().scrapeHandler(config.server().metricsKey()));
    router.get("/admin/usage").handler(new UsageHandler(java.time.Clock.systemUTC()));
    ClientsHandler clients = new ClientsHandler(services.clients(), new SecureRandom(), java.time.Clock.systemUTC());
    router.post("/admin/clients").handler(body).handler(clients::create);
    router.get("/admin/clients").handler(clients::list);
    router.delete("/admin/clients/:id").handler(clients::delete);
    KeysHandler keys = new KeysHandler();
    router.post("/admin/keys").handler(body).handler(keys::add);
    router.get("/admin/keys").handler(keys::list);
    router.delete("/admin/keys/:id").handler(keys::delete);
    router.get("/api/v1/health").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "ok").toBuffer()));

    router.route().last().handler(ctx -> ErrorResponder.send(ctx.response(), dialectOf(ctx),
        new GatewayError(ErrorType.NOT_FOUND, 404, "No route for " + ctx.request().method() + " " + ctx.request().path(), false, null, null)));
    router.route().failureHandler(this::failure);
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, this::failure);
    }

    SlowClientGuard guard = new SlowClientGuard(config.server());
    server = vertx.createHttpServer(options)
        .connectionHandler(connection -> {
          guard.opened(connection);
          BrokenMessageGuard.install(connection, this::dialectOfPath, webSocketMessageLimit());
          LingeringClose.install(connection);
        })
        .invalidRequestHandler(malformed.invalidHead())
        .exceptionHandler(e -> LOG.debug("connection error: {}", e.toString()))
        .requestHandler(request -> {
          guard.headRead(request);
          router.handle(request);
        });
    return server.listen();
  }

  /** Body too large, method not allowed, or a bug: always an error in the caller's format, never a stack trace. */
  private void failure(RoutingContext ctx) {
    int status = ctx.statusCode();
    GatewayError error;
    if (status == 413) {
      error = new GatewayError(ErrorType.REQUEST_TOO_LARGE, 413,
          "The request body exceeds the limit of " + config.server().maxBodyBytes() + " bytes", false, null, null);
    } else if (ctx.failure() instanceof JsonBodyReader.Refused refused) {
      error = new GatewayError(ErrorType.INVALID_REQUEST, status, refused.getMessage(), false, null, null);
    } else if (status == 405) {
      error = new GatewayError(ErrorType.INVALID_REQUEST, 405, "Method " + ctx.request().method() + " is not allowed on " + ctx.request().path(), false, null, null);
    } else if (status >= 400 && status < 500) {
      error = new GatewayError(ErrorType.INVALID_REQUEST, status, "The request could not be read", false, null, null);
    } else if (!MalformedRequests.pathDecodes(ctx.request().path())) {
      error = GatewayError.invalid(null, "The path is not valid percent-encoding (a '%' must start an escape such as %2F)");
    } else {
      LOG.error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      error = GatewayError.of(ErrorType.INTERNAL, "Internal error; the request id is in the X-Ensemble-Request-Id header");
    }
    ErrorResponder.send(ctx.response(), dialectOf(ctx), error).onComplete(v -> {
      if (status == 408) {
        ctx.request().connection().close();
      }
    });
  }

  private int webSocketMessageLimit() {
    return (int) Math.min(Integer.MAX_VALUE, config.server().maxBodyBytes() + WEBSOCKET_ENVELOPE_BYTES);
  }

  private ClientDialect dialectOf(RoutingContext ctx) {
    return dialectOfPath(ctx.request().path());
  }

  private ClientDialect dialectOfPath(String path) {
    return path != null && path.startsWith("/v1/messages") ? anthropic : openAi;
  }

  /** The port actually bound (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
