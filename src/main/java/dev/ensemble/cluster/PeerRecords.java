package dev.ensemble.cluster;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Usage;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.CachePlan;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * The JSON forms in which a node's {@link AttemptOutcome}s and {@link UsageReport}s travel to the other nodes
 * of a cluster (the records themselves are node-local, see {@link dev.ensemble.bus.LocalCodec}). Lossless
 * both ways; every form carries the id of the node it came from under {@code node}.
 */
public final class PeerRecords {

  private PeerRecords() {
  }

  public static JsonObject toJson(String node, AttemptOutcome o) {
    return new JsonObject()
        .put("node", node)
        .put("provider", o.provider())
        .put("endpoint", o.endpointId())
        .put("status", o.status())
        .put("error_class", o.errorClass() == null ? null : o.errorClass().name())
        .put("error_type", o.errorType())
        .put("retry_after_ms", o.retryAfterMillis())
        .put("latency_ms", o.latencyMs());
  }

  public static AttemptOutcome outcomeFromJson(JsonObject j) {
    String errorClass = j.getString("error_class");
    return new AttemptOutcome(j.getString("provider"), j.getString("endpoint"), j.getInteger("status", 0),
        errorClass == null ? null : ErrorClass.valueOf(errorClass), j.getString("error_type"), j.getLong("retry_after_ms"),
        j.getLong("latency_ms", 0L));
  }

  public static JsonObject toJson(String node, UsageReport r) {
    CachePlan plan = r.plan();
    JsonObject planJson = null;
    if (plan != null) {
      JsonArray writes = new JsonArray();
      for (long hash : plan.writeHashes()) {
        writes.add(hash);
      }
      planJson = new JsonObject().put("domain", plan.domain()).put("ttl_seconds", plan.ttlSeconds()).put("write_hashes", writes)
          .put("predicted_hash", plan.predictedHash()).put("predicted_tokens", plan.predictedTokens());
    }
    return new JsonObject()
        .put("node", node)
        .put("request_id", r.requestId())
        .put("attempt", r.attempt())
        .put("provider", r.provider())
        .put("endpoint", r.endpointId())
        .put("model", r.model())
        .put("usage", (r.usage() == null ? Usage.UNKNOWN : r.usage()).toJson())
        .put("cost_usd", r.costUsd() == null ? null : r.costUsd().toPlainString())
        .put("status", r.status())
        .put("answered", r.answered())
        .put("ttfb_ms", r.timeToFirstByteMs())
        .put("finished_at", r.finishedAtMillis())
        .put("estimated_tokens", r.estimatedTokens())
        .put("plan", planJson);
  }

  public static UsageReport usageFromJson(JsonObject j) {
    JsonObject u = j.getJsonObject("usage", new JsonObject());
    String cost = j.getString("cost_usd");
    JsonObject p = j.getJsonObject("plan");
    CachePlan plan = null;
    if (p != null) {
      JsonArray writes = p.getJsonArray("write_hashes", new JsonArray());
      long[] hashes = new long[writes.size()];
      for (int i = 0; i < hashes.length; i++) {
        hashes[i] = writes.getLong(i);
      }
      plan = new CachePlan(p.getInteger("domain", -1), p.getInteger("ttl_seconds", 0), hashes, p.getLong("predicted_hash", 0L),
          p.getInteger("predicted_tokens", 0));
    }
    return new UsageReport(j.getString("request_id"), j.getInteger("attempt", 1), j.getString("provider"), j.getString("endpoint"),
        j.getString("model"), Usage.fromJson(u),
        cost == null ? null : new BigDecimal(cost), j.getInteger("status", 0), j.getBoolean("answered", false),
        j.getLong("ttfb_ms", 0L), j.getLong("finished_at", 0L), j.getLong("estimated_tokens", 0L), plan);
  }

  /** The node a forwarded record came from. */
  public static String origin(JsonObject j) {
    return j.getString("node");
  }
}
