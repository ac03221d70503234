package dev.ensemble.pricing;

import dev.ensemble.config.ImagePricing;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.Usage;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CostCalculatorTest {

  private static final ModelConfig.Pricing SONNET = new ModelConfig.Pricing(
      new BigDecimal("3.00"), new BigDecimal("15.00"), new BigDecimal("0.30"), new BigDecimal("3.75"));

  @Test
  void pricesEachKindOfTokenAtItsOwnRate() {
    // 1,000 uncached input x $3 + 500 output x $15 + 20,000 cache reads x $0.30 + 4,000 cache writes x $3.75, per 1M
    Usage usage = new Usage(1_000L, 500L, 20_000L, 4_000L);

    assertEquals(new BigDecimal("0.0315"), CostCalculator.cost(usage, SONNET));
  }

  @Test
  void unreportedFieldsCostNothing() {
    assertEquals(0, CostCalculator.cost(new Usage(null, 1_000_000L, null, null), SONNET).compareTo(new BigDecimal("15")));
    assertEquals(0, CostCalculator.cost(Usage.UNKNOWN, SONNET).signum());
  }

  @Test
  void costIsRoundedHalfUpToTenDecimalPlacesWithoutTrailingZeros() {
    ModelConfig.Pricing tiny = new ModelConfig.Pricing(
        new BigDecimal("0.00005"), new BigDecimal("0.000049"), new BigDecimal("0.000123456789"), new BigDecimal("2.5"));
    assertEquals(new BigDecimal("1E-10"), CostCalculator.cost(new Usage(1L, null, null, null), tiny));
    assertEquals(0, CostCalculator.cost(new Usage(null, 1L, null, null), tiny).signum());
    assertEquals(new BigDecimal("1.235E-7"), CostCalculator.cost(new Usage(null, null, 1_000L, null), tiny));
    assertEquals(new BigDecimal("0.0000025"), CostCalculator.cost(new Usage(null, null, null, 1L), tiny));
    // the same as the sum divided by a million at scale 10, for every mix of counts
    for (long n : new long[] {0, 1, 7, 999, 1_000_001, 123_456_789_012L}) {
      Usage usage = new Usage(n, n / 3, n % 5 == 0 ? null : n * 7, 2 * n);
      BigDecimal sum = tiny.input().multiply(BigDecimal.valueOf(n)).add(tiny.output().multiply(BigDecimal.valueOf(n / 3)))
          .add(tiny.cacheRead().multiply(BigDecimal.valueOf(Usage.orZero(usage.cacheRead()))))
          .add(tiny.cacheWrite().multiply(BigDecimal.valueOf(2 * n)));
      assertEquals(sum.divide(BigDecimal.valueOf(1_000_000), 10, java.math.RoundingMode.HALF_UP).stripTrailingZeros(),
          CostCalculator.cost(usage, tiny));
    }
  }

  @Test
  void imagesCostTheirVariantsPricePlusTheirTokens() {
    ImagePricing perImage = new ImagePricing(new BigDecimal("0.04"),
        Map.of("hd/1024x1024", new BigDecimal("0.08"), "1792x1024", new BigDecimal("0.09"), "hd", new BigDecimal("0.10")));
    ModelConfig.Pricing pricing = new ModelConfig.Pricing(new BigDecimal("5"), BigDecimal.ZERO, new BigDecimal("5"), new BigDecimal("5"), perImage);
    Usage tokens = new Usage(1_000L, null, null, null);

    // 1,000 x $5 / 1M = 0.005, plus the images
    assertEquals(new BigDecimal("0.165"), CostCalculator.cost(tokens, 2, "hd", "1024x1024", pricing));
    assertEquals(new BigDecimal("0.095"), CostCalculator.cost(tokens, 1, "standard", "1792x1024", pricing));
    assertEquals(new BigDecimal("0.205"), CostCalculator.cost(tokens, 2, "hd", "512x512", pricing));
    assertEquals(new BigDecimal("0.045"), CostCalculator.cost(Usage.UNKNOWN.mergedWith(tokens), 1, null, null, pricing));
    assertEquals(new BigDecimal("0.005"), CostCalculator.cost(tokens, 0, null, null, pricing));
  }

  @Test
  void imagesOfAModelWithoutPerImagePriceCostTheirTokensOnly() {
    assertEquals(new BigDecimal("0.0315"), CostCalculator.cost(new Usage(1_000L, 500L, 20_000L, 4_000L), 3, null, null, SONNET));
  }
}
