package dev.ensemble.pricing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.Usage;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * USD cost of an answer from the catalog's per-million-token prices: uncached input, output, cache reads
 * (discounted) and cache writes (at a premium) each at their own price; for generated images, plus the
 * catalog's per-image price of their quality and size. Exact decimal arithmetic; rounded to 10 decimal places,
 * well below a cent.
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

  /**
   * The cost of {@code images} generated images of {@code quality} and {@code size} (either null when the
   * request left it to the model) with the tokens {@code usage} reports: tokens at the token prices plus each
   * image at the per-image price (none when the model has no {@code per_image}).
   */
  public static BigDecimal cost(Usage usage, int images, String quality, String size, ModelConfig.Pricing pricing) {
    BigDecimal tokens = cost(usage, pricing);
    if (pricing.perImage() == null || images <= 0) {
      return tokens;
    }
    BigDecimal total = tokens.add(pricing.perImage().price(quality, size).multiply(BigDecimal.valueOf(images)));
    return total.setScale(10, RoundingMode.HALF_UP).stripTrailingZeros();
  }
}
