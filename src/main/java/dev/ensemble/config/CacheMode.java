package dev.ensemble.config;

/** How a provider caches prompt prefixes. */
public enum CacheMode {
  /** The client marks cacheable prefixes ({@code cache_control} breakpoints); writes may cost extra. */
  EXPLICIT,
  /** The provider caches long-enough prefixes on its own; nothing to mark, no write surcharge. */
  AUTOMATIC,
  /** No provider-side prompt cache. */
  NONE
}
