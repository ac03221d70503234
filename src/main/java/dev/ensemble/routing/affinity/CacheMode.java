package dev.ensemble.routing.affinity;

/**
 * How a provider decides which prefix of a prompt it caches, which decides where a request's
 * fingerprints are taken (see {@link PrefixFingerprinter}).
 */
public enum CacheMode {

  /**
   * Anthropic, and Claude on Bedrock and Vertex: only the prefix ending at a block marked with
   * {@code cache_control} is written to the cache. A breakpoint also reads an entry written at an earlier
   * block boundary up to 20 blocks before it (Anthropic's lookback), so a follow-up turn whose breakpoint
   * moved forward still hits the previous turn's entry.
   */
  EXPLICIT_BREAKPOINTS,

  /**
   * OpenAI, Gemini implicit caching, xAI, Fireworks, DeepSeek and the like: the provider caches the longest
   * prompt prefix by itself (in 128-token increments), once the prompt reaches its minimum length.
   */
  AUTOMATIC_PREFIX
}
