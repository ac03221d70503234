package dev.ensemble.pricing;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.Usage;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

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
}
