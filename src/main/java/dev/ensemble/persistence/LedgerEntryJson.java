package dev.ensemble.persistence;

import dev.ensemble.model.Usage;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * The JSON-lines form of a {@link LedgerEntry}, as kept in the ledger's spill file and in the crash journal's {@code x}
 * lines (which {@link JournalLine} writes field by field in the same order). Lossless both ways.
 */
final class LedgerEntryJson {

  private LedgerEntryJson() {
  }

  static JsonObject toJson(LedgerEntry e) {
    return new JsonObject()
        .put("request_id", e.requestId())
        .put("client_id", e.clientId())
        .put("provider", e.provider())
        .put("endpoint", e.endpointId())
        .put("model", e.model())
        .put("upstream_model", e.upstreamModel())
        .put("usage", (e.usage() == null ? Usage.UNKNOWN : e.usage()).toJson())
        .put("cost_usd", e.costUsd() == null ? null : e.costUsd().toPlainString())
        .put("latency_ms", e.latencyMs())
        .put("ttfb_ms", e.timeToFirstByteMs())
        .put("status", e.status())
        .put("attempts", e.attempts())
        .put("route_reason", e.routeReason())
        .put("stream", e.stream())
        .put("finished_at", e.finishedAtMillis())
        .put("images", e.images())
        .put("cache_status", e.cacheStatus())
        .put("saved_usd", e.savedUsd() == null ? null : e.savedUsd().toPlainString());
  }

  static LedgerEntry fromJson(JsonObject j) {
    JsonObject u = j.getJsonObject("usage", new JsonObject());
    String cost = j.getString("cost_usd");
    return new LedgerEntry(j.getString("request_id"), j.getString("client_id"), j.getString("provider"), j.getString("endpoint"),
        j.getString("model"), j.getString("upstream_model"),
        Usage.fromJson(u),
        cost == null ? null : new BigDecimal(cost), j.getLong("latency_ms"), j.getLong("ttfb_ms"), j.getInteger("status"),
        j.getInteger("attempts"), j.getString("route_reason"), j.getBoolean("stream", false), j.getLong("finished_at"),
        j.getInteger("images"), j.getString("cache_status"), j.getString("saved_usd") == null ? null : new BigDecimal(j.getString("saved_usd")));
  }
}
