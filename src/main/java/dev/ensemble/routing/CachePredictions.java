package dev.ensemble.routing;

import java.util.concurrent.atomic.LongAdder;

/**
 * How often routing for a provider-side cache hit paid off, learnt from the cache-read tokens upstreams
 * report: a predicted hit the provider confirmed, a predicted hit that missed, and a hit nobody predicted.
 * Written by the {@link RouterVerticle}; read by status and metrics.
 */
public final class CachePredictions {

  private final LongAdder confirmed = new LongAdder();
  private final LongAdder missed = new LongAdder();
  private final LongAdder unpredicted = new LongAdder();

  void record(boolean predicted, boolean hit) {
    if (predicted && hit) {
      confirmed.increment();
    } else if (predicted) {
      missed.increment();
    } else if (hit) {
      unpredicted.increment();
    }
  }

  public long confirmed() {
    return confirmed.sum();
  }

  public long missed() {
    return missed.sum();
  }

  public long unpredicted() {
    return unpredicted.sum();
  }
}
