package dev.ensemble.pricing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.Usage;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * USD cost of an answer from the catalog's per-million-token prices: uncached input, output, cache reads
 * (discounted) and cache writes (at a premium) each at their own price. Exact decimal arithmetic; rounded to
 * 10 decimal places, well below a cent.
 */
public final class CostCalculator {

  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private CostCalculator() {
  }

  public static BigDecimal cost(Usage usage, ModelConfig.Pricing pricing) {
    BigDecimal micro = pricing.input().multiply(BigDecimal.valueOf(Usage.orZero(usage.input())))
        .add(pricing.output().multiply(BigDecimal.valueOf(Usage.orZero(usage.output()))))
        .add(pricing.cacheRead().multiply(BigDecimal.valueOf(Usage.orZero(usage.cacheRead()))))
        .add(pricing.cacheWrite().multiply(BigDecimal.valueOf(Usage.orZero(usage.cacheWrite()))));
    return micro.divide(MILLION, 10, RoundingMode.HALF_UP).stripTrailingZeros();
  }
}
