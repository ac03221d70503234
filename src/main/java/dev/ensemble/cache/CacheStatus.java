package dev.ensemble.cache;

/** What the cache did for a request, as {@code X-Cache-Status} shows it. */
public enum CacheStatus {
  /** An entry with the same exact key answered. */
  HIT,
  /** An entry of a similar last user turn (same context, guards agreeing) answered. */
  SEMANTIC_HIT,
  /** Nothing matched: the upstream answers and the answer may be stored. */
  MISS,
  /** The cache was not read: {@code Cache-Control}, a sampled request, or an unreachable embedder. */
  BYPASS
}
