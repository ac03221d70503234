package dev.ensemble.routing;

import dev.ensemble.config.CacheMode;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.routing.affinity.AffinityTable;
import dev.ensemble.routing.affinity.Fingerprints;
import dev.ensemble.routing.affinity.PrefixFingerprinter;

import java.util.ArrayList;
import java.util.List;

/**
 * The request as routing sees it, with its fingerprints computed at most once per distinct cache
 * semantics and its affinity lookups done at most once per semantics. Confined to one decision.
 */
final class RequestView {
  private final UnifiedRequest request;
  private final PrefixFingerprinter fingerprinter;
  private final AffinityTable affinity;
  private final List<ModelConfig.CacheSettings> keys = new ArrayList<>(2);
  private final List<Fingerprints> prints = new ArrayList<>(2);
  private final List<DomainHits> hits = new ArrayList<>(2);
  private int plainTokens = -1;

  RequestView(UnifiedRequest request, PrefixFingerprinter fingerprinter, AffinityTable affinity) {
    this.request = request;
    this.fingerprinter = fingerprinter;
    this.affinity = affinity;
  }

  UnifiedRequest request() {
    return request;
  }

  int outputEstimate() {
    Integer max = request.maxTokens();
    return max == null ? ModelRouter.DEFAULT_OUTPUT_ESTIMATE : Math.min(max, ModelRouter.MAX_OUTPUT_ESTIMATE);
  }

  int promptTokens(ModelConfig.CacheSettings cache) {
    Fingerprints f = fingerprints(cache);
    if (f != null) {
      return f.promptTokens();
    }
    if (plainTokens < 0) {
      plainTokens = PromptSize.tokens(request);
    }
    return plainTokens;
  }

  Fingerprints fingerprints(ModelConfig.CacheSettings cache) {
    if (cache.mode() == CacheMode.NONE) {
      return null;
    }
    int i = indexOf(cache);
    if (i >= 0) {
      return prints.get(i);
    }
    Fingerprints f = fingerprinter.fingerprint(request, cache.mode(), cache.minTokens());
    keys.add(cache);
    prints.add(f);
    hits.add(null);
    return f;
  }

  /**
   * The longest cached prefix each cache domain holds for this request under {@code cache}'s semantics (the
   * affinity table is asked once per semantics), or null when those semantics cache nothing.
   */
  DomainHits hits(ModelConfig.CacheSettings cache, long now) {
    Fingerprints f = fingerprints(cache);
    if (f == null) {
      return null;
    }
    int i = indexOf(cache);
    DomainHits byDomain = hits.get(i);
    if (byDomain == null) {
      byDomain = new DomainHits();
      long[] hashes = f.lookupHashes();
      int[] tokens = f.lookupTokens();
      for (int k = 0; k < hashes.length; k++) {
        int d = affinity.lookup(hashes[k], now);
        if (d >= 0) {
          byDomain.putIfAbsent(d, hashes[k], tokens[k]);
        }
      }
      hits.set(i, byDomain);
    }
    return byDomain;
  }

  /** Position of {@code cache} among the semantics seen so far (the same instance, usually), or -1. */
  private int indexOf(ModelConfig.CacheSettings cache) {
    for (int k = 0; k < keys.size(); k++) {
      if (keys.get(k) == cache) {
        return k;
      }
    }
    return keys.indexOf(cache);
  }

  /** Whether some cache domain held a prefix of this request (one the decision then did not use). */
  boolean hadWarmCache() {
    for (DomainHits byDomain : hits) {
      if (byDomain != null && byDomain.size > 0) {
        return true;
      }
    }
    return false;
  }

  CachePlan plan(ModelConfig.CacheSettings cache, int domain, CacheHit predicted) {
    Fingerprints f = fingerprints(cache);
    if (f == null) {
      return null;
    }
    return new CachePlan(domain, cache.ttlSeconds(), f.writeHashes(),
        predicted == null ? 0 : predicted.hash(), predicted == null ? 0 : predicted.tokens());
  }
}
