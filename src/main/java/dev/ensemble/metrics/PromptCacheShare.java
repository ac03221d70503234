package dev.ensemble.metrics;

import dev.ensemble.model.Usage;

import java.util.concurrent.atomic.LongAdder;

/**
 * The share of prompt tokens that a provider served from its prompt cache, since the node started:
 * {@code cache_read / (input + cache_read + cache_write)} summed over every upstream answer that reported
 * usage. {@code input} counts uncached input tokens only (the unified convention), so the denominator is the
 * whole prompt. NaN until some prompt tokens were reported. Written by one thread, read by any.
 */
final class PromptCacheShare {

  private final LongAdder cacheRead = new LongAdder();
  private final LongAdder prompt = new LongAdder();

  void add(Usage usage) {
    cacheRead.add(Usage.orZero(usage.cacheRead()));
    prompt.add(usage.promptTotal());
  }

  double ratio() {
    long total = prompt.sum();
    return total == 0 ? Double.NaN : (double) cacheRead.sum() / total;
  }
}
