package dev.ensemble.ingress;

import dev.ensemble.cache.AuditLog;
import dev.ensemble.cache.Embedder;
import dev.ensemble.cache.FleetCacheStats;
import dev.ensemble.cache.ResponseCache;

import java.util.function.Function;

/**
 * A node's response cache as ingress uses it: the cache (null when no route or model has a policy), its audit log,
 * the fleet's figures and recent audits, and the embedders by name ({@code local/all-minilm-l6-v2} or a catalog
 * embedding model). Thread-safe.
 */
public record ResponseCaching(ResponseCache cache, AuditLog audits, FleetCacheStats fleet, Function<String, Embedder> embedders) {

  public static final ResponseCaching NONE = new ResponseCaching(null, null, null, name -> {
    throw new IllegalStateException("no response cache");
  });
}
