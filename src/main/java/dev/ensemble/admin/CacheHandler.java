package dev.ensemble.admin;

import dev.ensemble.cache.AuditLog;
import dev.ensemble.cache.ResponseCache;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /admin/cache}: this node's response cache — entries held, the most recent audits (newest first,
 * {@code ?limit=}, at most 200) and, per threshold 0.90…0.98, the hit rate semantic lookups would have had and the
 * audited disagreement at or above it. {@code {enabled: false}} when no route or model caches responses.
 */
public final class CacheHandler {

  private final ResponseCache cache;
  private final AuditLog audits;

  public CacheHandler(ResponseCache cache, AuditLog audits) {
    this.cache = cache;
    this.audits = audits;
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
      body.put("entries", cache.size()).put("loading", cache.loading()).put("index_backlog", cache.indexBacklog()).put("audits", audits.recent(limit)).put("thresholds", cache.bands().toJson());
    }
    ctx.response().putHeader("content-type", "application/json").end(body.encodePrettily());
  }
}
