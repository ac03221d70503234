package dev.ensemble.model;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * A USD amount as an exact integer count of 10^-10 USD, the scale {@code CostCalculator}
 * rounds to: how the usage ledger stores costs ({@code cost_e10_usd}) and how a client's spend this month is summed.
 */
public final class CostE10 {

  /** Decimal places of the stored cost. */
  public static final int SCALE = 10;

  private CostE10() {
  }

  /** USD x 10^10, or null for null. */
  public static Long of(BigDecimal usd) {
    return usd == null ? null : usd.setScale(SCALE, RoundingMode.HALF_UP).unscaledValue().longValueExact();
  }

  /** The USD amount of {@code e10} (trailing zeros stripped; zero is {@link BigDecimal#ZERO}). */
  public static BigDecimal usd(long e10) {
    BigDecimal usd = BigDecimal.valueOf(e10, SCALE).stripTrailingZeros();
    return usd.signum() == 0 ? BigDecimal.ZERO : usd;
  }
}
