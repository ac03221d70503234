package dev.ensemble.admin;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.logging.LogBuffers;
import dev.ensemble.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code GET /admin/status}: the node's deep health. Asks each provider's pool verticle for its endpoints
 * (health, circuit, cooldown, disabled keys, limits; keys masked) and the router verticle for its state,
 * adds the rate limiter's mode (local, redis or degraded), the response store, the persistence verticle's
 * state (SQLite file, schema version, usage-ledger counters), the log buffers (queued and dropped lines) and
 * the cluster ({@code enabled}, and on a clustered node its {@code node_id}, {@code members} and under {@code nodes}
 * every member's own health, asked over the clustered event bus) and the deployed verticles. {@code status} is
 * {@code degraded} when Redis is configured but unreachable, an endpoint's key is disabled, or a member did not answer.
 */
public final class StatusHandler implements Handler<RoutingContext> {

  private static final long ASK_TIMEOUT_MS = 2_000;

  private final EnsembleConfig config;
  private final RateLimiter rateLimiter;
  private final long startedAt;
  private final Supplier<JsonArray> verticles;
  private final LogBuffers logs;
  private final Supplier<JsonObject> cluster;
  /** How long a member of the fleet has to answer with its health before it is listed as unreachable. */
  static final long MEMBER_TIMEOUT_MS = 2_000;

  public StatusHandler(EnsembleConfig config, RateLimiter rateLimiter, long startedAtEpochSeconds, Supplier<JsonArray> verticles,
      LogBuffers logs, Supplier<JsonObject> cluster) {
    this.cluster = cluster;
    this.config = config;
    this.rateLimiter = rateLimiter;
    this.startedAt = startedAtEpochSeconds;
    this.verticles = verticles;
    this.logs = logs;
  }

  @Override
  public void handle(RoutingContext ctx) {
    var bus = ctx.vertx().eventBus();
    var options = new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
    List<Future<JsonObject>> pools = new ArrayList<>();
    for (String provider : config.providers().keySet()) {
      pools.add(bus.<JsonObject>request(Addresses.poolStatus(provider), null, options).map(Message::body)
          .otherwise(err -> new JsonObject().put("name", provider).put("error", "no answer from its pool: " + err.getMessage())));
    }
    Future<JsonObject> routing = bus.<JsonObject>request(Addresses.ROUTING_STATUS, null, options).map(Message::body)
        .otherwise(err -> new JsonObject().put("error", "no answer from the router: " + err.getMessage()));
    Future<JsonObject> persistence = bus.<JsonObject>request(Addresses.PERSIST_STATUS, null, options).map(Message::body)
        .otherwise(err -> new JsonObject().put("error", "no answer from the persistence verticle: " + err.getMessage()));
    JsonObject clusterJson = cluster.get();
    JsonArray memberIds = clusterJson.getJsonArray("members", new JsonArray());
    List<Future<JsonObject>> members = new ArrayList<>();
    for (Object id : memberIds) {
      members.add(bus.<JsonObject>request(Addresses.fleetHealth((String) id), null,
              new io.vertx.core.eventbus.DeliveryOptions().setSendTimeout(MEMBER_TIMEOUT_MS)).map(Message::body)
          .otherwise(err -> new JsonObject().put("node_id", id).put("status", "unreachable").put("error", "no answer within "
              + MEMBER_TIMEOUT_MS + " ms: " + err.getMessage())));
    }
    List<Future<?>> all = new ArrayList<>(pools);
    all.add(routing);
    all.add(persistence);
    all.addAll(members);
    Future.join(all).onComplete(ar -> {
      JsonArray providers = new JsonArray();
      boolean degraded = false;
      for (Future<JsonObject> pool : pools) {
        JsonObject p = pool.result();
        providers.add(p);
        for (Object e : p.getJsonArray("endpoints", new JsonArray())) {
          degraded |= ((JsonObject) e).getJsonObject("health", new JsonObject()).getBoolean("key_disabled", false);
        }
      }
      JsonArray nodes = new JsonArray();
      for (Future<JsonObject> member : members) {
        nodes.add(member.result());
        degraded |= "unreachable".equals(member.result().getString("status"));
      }
      if (!members.isEmpty()) {
        clusterJson.put("nodes", nodes);
      }
      JsonObject limits = rateLimiter.status().toJson();
      degraded |= "degraded".equals(limits.getString("mode"));
      long now = Instant.now().getEpochSecond();
      JsonObject body = new JsonObject()
          .put("status", degraded ? "degraded" : "ok")
          .put("node", new JsonObject()
              .put("started_at", Instant.ofEpochSecond(startedAt).toString())
              .put("uptime", Duration.ofSeconds(now - startedAt).toString())
              .put("listen", config.server().host() + ":" + config.server().port()))
          .put("providers", providers)
          .put("routing", routing.result())
          .put("rate_limits", limits)
          .put("redis", new JsonObject().put("configured", config.redis().enabled())
              .put("reachable", config.redis().enabled() ? limits.getBoolean("redis_reachable") : null))
          .put("responses", new JsonObject().put("store", config.responses().store().name().toLowerCase())
              .put("local_dir", config.responses().localDir()))
          .put("persistence", persistence.result())
          .put("logging", logs.toJson())
          .put("cluster", clusterJson)
          .put("verticles", verticles.get());
      ctx.response().putHeader("content-type", "application/json").end(body.encodePrettily());
    });
  }
}
