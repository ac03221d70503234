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

  private CostCalculator() {
  }

  /**
   * The cost of {@code usage}: each reported token count at its price per million, summed exactly, then shifted six
   * places and rounded to 10 decimal places (the same value and scale as dividing by a million at scale 10), trailing
   * zeros stripped. A count of zero (or not reported) adds nothing.
   */
  public static BigDecimal cost(Usage usage, ModelConfig.Pricing pricing) {
    BigDecimal micro = BigDecimal.ZERO;
    micro = plus(micro, pricing.input(), usage.input());
    micro = plus(micro, pricing.output(), usage.output());
    micro = plus(micro, pricing.cacheRead(), usage.cacheRead());
    micro = plus(micro, pricing.cacheWrite(), usage.cacheWrite());
    BigDecimal usd = micro.movePointLeft(6);
    if (usd.scale() > 10) {
      usd = usd.setScale(10, RoundingMode.HALF_UP);
    }
    return usd.stripTrailingZeros();
  }

  private static BigDecimal plus(BigDecimal sum, BigDecimal pricePerMillion, Long tokens) {
    long count = Usage.orZero(tokens);
    return count == 0 ? sum : sum.add(pricePerMillion.multiply(BigDecimal.valueOf(count)));
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
