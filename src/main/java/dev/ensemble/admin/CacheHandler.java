package dev.ensemble.admin;

import dev.ensemble.cache.FleetCacheStats;
import dev.ensemble.cache.ResponseCache;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /admin/cache}: the response cache — entries this node holds (every node holds the fleet's live entries),
 * and for the whole fleet ({@link FleetCacheStats}): the most recent audits of any node (newest first, {@code ?limit=},
 * at most 200, each with the {@code node} that made it), per threshold 0.90…0.98 the hit rate semantic lookups would
 * have had and the audited disagreement at or above it, and per route the audits' drift. {@code {enabled: false}}
 * when no route or model caches responses.
 */
public final class CacheHandler {

  private final ResponseCache cache;
  private final FleetCacheStats fleet;

  public CacheHandler(ResponseCache cache, FleetCacheStats fleet) {
    this.cache = cache;
    this.fleet = fleet;
  }

  public void handle(RoutingContext ctx) {
    JsonObject body = new JsonObject().put("enabled", cache != null);
    if (cache != null) {
      int limit = 50;
      String asked = ctx.request().getParam("limit");
      if (asked != null) {
        try {
          limit = Math.max(1, Math.min(200, Integer.parseInt(asked)));
        } catch (NumberFormatException e) {
          limit = 50;
        }
      }
      body.put("entries", cache.size()).put("loading", cache.loading()).put("index_backlog", cache.indexBacklog()).put("thresholds", fleet.bands().toJson()).put("drift", fleet.driftJson());
      fleet.recentAudits(limit).onComplete(audits -> {
        body.put("audits", audits.succeeded() ? audits.result() : new JsonArray());
        ctx.response().putHeader("content-type", "application/json").end(body.encodePrettily());
      });
      return;
    }
    ctx.response().putHeader("content-type", "application/json").end(body.encodePrettily());
  }
}
