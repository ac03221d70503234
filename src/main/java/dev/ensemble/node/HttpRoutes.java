package dev.ensemble.node;

import dev.ensemble.admin.AdminRoutes;
import dev.ensemble.admin.CacheHandler;
import dev.ensemble.ingress.IngressRoutes;
import dev.ensemble.ingress.JsonBodyReader;
import dev.ensemble.ingress.NodeServices;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Assembles one ingress instance's router: the public API ({@link IngressRoutes}), the admin API
 * ({@link AdminRoutes}), {@code /metrics}, then ingress's fallbacks (404 and failures in the caller's format).
 */
final class HttpRoutes {

  private HttpRoutes() {
  }

  static Router build(Vertx vertx, NodeServices services) {
    Router router = Router.router(vertx);
    JsonBodyReader body = new JsonBodyReader(services.config().server().maxBodyBytes(), services.config().server().bodyReadTimeoutMs());
    IngressRoutes api = new IngressRoutes(services);
    api.mount(router, body);
    new AdminRoutes(services.config(), services.rateLimiter(), services.startedAtEpochSeconds(), services.verticles(), services.logs(),
        services.cluster(), services.clients(), new CacheHandler(services.caching().cache(), services.caching().fleet())).mount(router, body);
    // behind the admin key (AdminRoutes guards /admin/*): the same drain as SIGTERM, after which the process exits
    router.post("/admin/drain").handler(ctx -> {
      services.lifecycle().requestDrain();
      ctx.response().setStatusCode(202).putHeader("content-type", "application/json").end(new JsonObject()
          .put("status", "draining").put("drain_timeout_ms", services.config().server().drainTimeoutMs())
          .put("drain_grace_ms", services.config().server().drainGraceMs()).toBuffer());
    });
    router.get("/metrics").handler(services.metrics().scrapeHandler(services.config().server().metricsKey()));
    api.mountFallbacks(router);
    return router;
  }
}
