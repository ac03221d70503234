package dev.ensemble.ingress;

import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ClientDialects;
import dev.ensemble.wire.openai.OpenAiEmbeddingsCodec;
import dev.ensemble.wire.openai.OpenAiImagesCodec;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

/**
 * The public API's routes ({@code /v1/*}, {@code /v1beta/*}, {@code /api/v1/*}; a chat route per registered client
 * format, and each format's count-tokens and stored-response routes) and the last-resort handlers that answer anything
 * else in the caller's format. The node mounts them on each ingress instance's router, next to the admin API.
 * Holds no mutable state of its own; everything it routes with is read-only or lock-free.
 */
public final class IngressRoutes {

  /**
   * Gives an answer that is not an admitted request's (a model list, a stored response, a probe) a request id of its
   * own; an error gets one wherever it is made ({@link ErrorResponder}).
   */
  private static final Handler<RoutingContext> STAMP = ctx -> {
    RequestIds.stamp(ctx.response());
    ctx.next();
  };

  private final NodeServices services;
  private final EnsembleConfig config;
  private final ClientDialects dialects;
  private final ClientDialect openAi;

  public IngressRoutes(NodeServices services) {
    this.services = services;
    this.config = services.config();
    this.dialects = services.dialects();
    this.openAi = dialects.fallback();
  }

  /**
   * Adds the public API's routes to {@code router}, after a check of every request's query string; {@code body}
   * reads request bodies within the server's limits ({@link JsonBodyReader}). The chat routes of a fixed path are
   * also served by that first route in one step ({@link DirectChatRoutes}).
   */
  public void mount(Router router, JsonBodyReader body) {
    MalformedRequests malformed = MalformedRequests.forRoutes(dialects::forPath);
    DirectChatRoutes direct = new DirectChatRoutes();
    // every request's first step; a chat request of a fixed path takes all its steps here (DirectChatRoutes)
    router.route().handler(ctx -> {
      if (malformed.refusedQuery(ctx)) {
        return;
      }
      Handler<RoutingContext> chat = direct.of(ctx);
      if (chat == null) {
        ctx.next();
      } else {
        chat.handle(ctx);
      }
    });
    Map<String, RouteConfig> routes = config.routes();
    ModelRouter modelRouter = services.router();
    RateLimiter rateLimiter = services.rateLimiter();
    ClientAuth clientAuth = new ClientAuth(services.clients(), config.server().requireClientKeys(), config.server().adminKey(), dialects);
    NodeLifecycle lifecycle = services.lifecycle();
    List<DirectChatRoutes.PrefixStep> prefixSteps = List.of(
        new DirectChatRoutes.PrefixStep("/v1/", (ctx, then) -> {
          if (lifecycle.isRefusing()) {
            ctx.response().putHeader("connection", "close");
            ErrorResponder.send(ctx.response(), dialectOf(ctx), new GatewayError(ErrorType.OVERLOADED, 503,
                "This node is shutting down and takes no new requests; retry, another node will answer", true, 1L, null));
          } else {
            then.handle(ctx);
          }
        }),
        new DirectChatRoutes.PrefixStep("/v1/", clientAuth::handle),
        new DirectChatRoutes.PrefixStep("/v1beta/", clientAuth::handle),
        new DirectChatRoutes.PrefixStep("/api/v1/responses/", clientAuth::handle));
    for (DirectChatRoutes.PrefixStep prefixed : prefixSteps) {
      router.route(prefixed.prefix() + "*").handler(ctx -> prefixed.step().run(ctx, RoutingContext::next));
    }
    long requestTimeoutMs = config.server().requestTimeoutMs();
    ResponseAccess access = new ResponseAccess(config.server().requireClientKeys());
    PeerResponses peers = new PeerResponses(services.cluster());
    StoredResponses stored = new StoredResponses(services.live(), access, new BackgroundResponses(modelRouter, services.clients()), peers);
    ResponseCaching caching = services.caching();
    CacheAuditor auditor = new CacheAuditor(caching.cache(), caching.fleet(), caching.embedders(), openAi);
    ChatLauncher launcher = new ChatLauncher(modelRouter, rateLimiter, services.metrics(), services.live(), caching.cache(), auditor,
        requestTimeoutMs);
    auditor.bind(launcher);
    RoutingHeaders routing = new RoutingHeaders();
    for (ClientDialect dialect : dialects.all()) {
      if (dialect.tokenCountPathRegex() != null) {
        router.postWithRegex(dialect.tokenCountPathRegex()).handler(body)
            .handler(new TokenCountHandler(dialect, modelRouter, rateLimiter, services.metrics(), services.live(), requestTimeoutMs, routing));
      }
      ChatHandler chat = new ChatHandler(dialect, launcher, ctx -> null, stored, routing);
      for (String path : dialect.chatPaths()) {
        router.post(path).handler(body).handler(chat);
        if (path.indexOf(':') < 0) {
          direct.add(path, prefixSteps, body, chat);
        }
      }
      if (dialect.storedResponsePath() != null) {
        router.get(dialect.storedResponsePath()).handler(STAMP).handler(ctx -> stored.read(ctx, dialect));
        router.delete(dialect.storedResponsePath()).handler(STAMP).handler(ctx -> stored.delete(ctx, dialect));
        router.get(dialect.storedResponsePath() + "/input_items").handler(STAMP).handler(ctx -> stored.inputItems(ctx, dialect));
        router.post(dialect.storedResponsePath() + "/cancel").handler(STAMP).handler(ctx -> stored.cancel(ctx, dialect));
      }
    }
    OpenAiEmbeddingsCodec embeddings = new OpenAiEmbeddingsCodec();
    OpenAiImagesCodec images = new OpenAiImagesCodec();
    OperationHandler embeddingsHandler = new OperationHandler(openAi, modelRouter, rateLimiter, services.metrics(), services.live(),
        (json, created) -> new EmbeddingsOperation(embeddings, embeddings.decodeRequest(json)), requestTimeoutMs, routing);
    OperationHandler imagesHandler = new OperationHandler(openAi, modelRouter, rateLimiter, services.metrics(), services.live(),
        (json, created) -> new ImagesOperation(images, images.decodeRequest(json), created), requestTimeoutMs, routing);
    ChatHandler workflowChat = new ChatHandler(openAi, launcher, ctx -> routes.get(ctx.pathParam("name")), stored, routing);
    OperationHandler workflowEmbeddings = embeddingsHandler.forRoute(ctx -> routes.get(ctx.pathParam("name")));
    OperationHandler workflowImages = imagesHandler.forRoute(ctx -> routes.get(ctx.pathParam("name")));
    router.post("/v1/workflows/:name").handler(body).handler(ctx -> {
      RouteConfig route = routes.get(ctx.pathParam("name"));
      if (route == null) {
        ErrorResponder.send(ctx.response(), openAi, new GatewayError(ErrorType.NOT_FOUND, 404,
            "No workflow named '" + ctx.pathParam("name") + "' is configured under routes:", false, null, null));
        return;
      }
      switch (WorkflowOperation.of(route, modelRouter.kindOf(route.model()))) {
        case "embeddings" -> workflowEmbeddings.handle(ctx);
        case "images" -> workflowImages.handle(ctx);
        default -> workflowChat.handle(ctx);
      }
    });
    router.get("/v1/ws").handler(new WebSocketHandler(dialects, launcher, WebSocketHandler.PING_INTERVAL_MS, lifecycle));
    router.post("/v1/embeddings").handler(body).handler(embeddingsHandler);
    router.post("/v1/images/generations").handler(body).handler(imagesHandler);
    ModelsHandler models = new ModelsHandler(modelRouter, services.startedAtEpochSeconds(), dialects);
    router.get("/v1/models").handler(STAMP).handler(models::list);
    router.getWithRegex("/v1/models/(?<id>[^:]+)").handler(STAMP).handler(models::one);
    router.get("/v1beta/models").handler(STAMP).handler(models::geminiList);
    router.getWithRegex("/v1beta/models/(?<id>[^:]+)").handler(STAMP).handler(models::geminiOne);
    ResponsesHandler responses = new ResponsesHandler(openAi, access, services.live(), peers);
    router.get("/api/v1/responses/:id").handler(STAMP).handler(responses::response);
    router.get("/api/v1/responses/:id/events").handler(STAMP).handler(responses::events);
    router.get("/api/v1/ready").handler(STAMP).handler(ctx -> {
      boolean ready = lifecycle.isReady();
      ctx.response().setStatusCode(ready ? 200 : 503).putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
          .end(new JsonObject().put("status", ready ? "ready" : lifecycle.phase().name().toLowerCase(java.util.Locale.ROOT)).toBuffer());
    });
    router.get("/api/v1/health").handler(STAMP).handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "ok").toBuffer()));
  }

  /**
   * Mounted after every other route: a 404 for any path no route took, and the failure handler, also for what
   * fails before any route matches (a path that is not valid percent-encoding).
   */
  public void mountFallbacks(Router router) {
    router.route().last().handler(ctx -> ErrorResponder.send(ctx.response(), dialectOf(ctx),
        new GatewayError(ErrorType.NOT_FOUND, 404, "No route for " + ctx.request().method() + " " + ctx.request().path(), false, null, null)));
    router.route().failureHandler(this::failure);
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      router.errorHandler(status, this::failure);
    }
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
      org.slf4j.LoggerFactory.getLogger(IngressVerticle.class).error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), ctx.failure());
      error = GatewayError.of(ErrorType.INTERNAL, "Internal error; the request id is in the X-Ensemble-Request-Id header");
    }
    ErrorResponder.send(ctx.response(), dialectOf(ctx), error).onComplete(v -> {
      if (status == 408) {
        ctx.request().connection().close();
      }
    });
  }

  private ClientDialect dialectOf(RoutingContext ctx) {
    return dialects.forRequest(ctx.request().path(), ctx.request().headers());
  }
}
