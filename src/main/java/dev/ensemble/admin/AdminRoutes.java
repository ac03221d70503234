package dev.ensemble.admin;

import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.logging.LogBuffers;
import dev.ensemble.ratelimit.RateLimiter;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The admin API ({@code /admin/*}, behind the admin key): status, usage, the response cache, gateway clients and provider keys. The
 * node mounts these routes next to the public API's; the handlers hold no mutable state of their own.
 */
public final class AdminRoutes {

  private final EnsembleConfig config;
  private final RateLimiter rateLimiter;
  private final long startedAtEpochSeconds;
  private final Supplier<JsonArray> verticles;
  private final LogBuffers logs;
  private final Supplier<JsonObject> cluster;
  private final ClientRegistry clients;
  private final CacheHandler cache;

  public AdminRoutes(EnsembleConfig config, RateLimiter rateLimiter, long startedAtEpochSeconds, Supplier<JsonArray> verticles,
      LogBuffers logs, Supplier<JsonObject> cluster, ClientRegistry clients, CacheHandler cache) {
    this.cache = cache;
    this.config = config;
    this.rateLimiter = rateLimiter;
    this.startedAtEpochSeconds = startedAtEpochSeconds;
    this.verticles = verticles;
    this.logs = logs;
    this.cluster = cluster;
    this.clients = clients;
  }

  /** Adds the admin routes to {@code router}; {@code body} reads request bodies within the server's limit. */
  public void mount(Router router, Handler<RoutingContext> body) {
    router.route("/admin/*").handler(new AdminAuth(config.server().adminKey()));
    router.get("/admin/status").handler(new StatusHandler(config, rateLimiter, startedAtEpochSeconds, verticles, logs, cluster));
    router.get("/admin/usage").handler(new UsageHandler(Clock.systemUTC(), cluster));
    router.get("/admin/cache").handler(cache::handle);
    ClientsHandler clientsHandler = new ClientsHandler(clients, new SecureRandom(), Clock.systemUTC());
    router.post("/admin/clients").handler(body).handler(clientsHandler::create);
    router.get("/admin/clients").handler(clientsHandler::list);
    router.delete("/admin/clients/:id").handler(clientsHandler::delete);
    KeysHandler keys = new KeysHandler();
    router.post("/admin/keys").handler(body).handler(keys::add);
    router.get("/admin/keys").handler(keys::list);
    router.delete("/admin/keys/:id").handler(keys::delete);
    router.post("/admin/keys/:id/disable").handler(ctx -> keys.state(ctx, true));
    router.post("/admin/keys/:id/enable").handler(ctx -> keys.state(ctx, false));
  }
}
