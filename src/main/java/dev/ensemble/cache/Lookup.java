package dev.ensemble.cache;

/**
 * The cache's verdict on one request. A hit carries its {@code entry} (and, semantic, its {@code similarity});
 * a miss or a refreshing bypass carries what storing the answer needs ({@code fingerprint}, and for a semantic
 * policy the prompt's {@code vector}), with {@code storable} true.
 *
 * @param reason why a bypass happened ({@code no-store}, {@code no-cache}, {@code sampled}, {@code embedder_unavailable}), else null
 */
public record Lookup(CachePolicy policy, CacheStatus status, CachedAnswer entry, double similarity, RequestFingerprint fingerprint,
    float[] vector, boolean storable, String reason) {

  public boolean hit() {
    return status == CacheStatus.HIT || status == CacheStatus.SEMANTIC_HIT;
  }

  static Lookup bypass(CachePolicy policy, String reason, RequestFingerprint fingerprint, boolean storable) {
    return new Lookup(policy, CacheStatus.BYPASS, null, Double.NaN, fingerprint, null, storable, reason);
  }

  static Lookup miss(CachePolicy policy, RequestFingerprint fingerprint, float[] vector) {
    return new Lookup(policy, CacheStatus.MISS, null, Double.NaN, fingerprint, vector, true, null);
  }

  Lookup withVector(float[] v) {
    return new Lookup(policy, status, entry, similarity, fingerprint, v, storable, reason);
  }
}
