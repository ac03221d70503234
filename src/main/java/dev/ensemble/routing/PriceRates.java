package dev.ensemble.routing;

import dev.ensemble.config.ModelConfig;

/**
 * A model's prices at one provider as doubles in USD per token, for the estimates routing compares on
 * every request. Accounting uses the exact decimal prices ({@link dev.ensemble.pricing.CostCalculator}).
 */
record PriceRates(double input, double output, double cacheRead, double cacheWrite) {

  static PriceRates of(ModelConfig.Pricing p) {
    return new PriceRates(p.input().doubleValue() / 1e6, p.output().doubleValue() / 1e6,
        p.cacheRead().doubleValue() / 1e6, p.cacheWrite().doubleValue() / 1e6);
  }

  /** Estimated USD of a call with {@code inputTokens} of prompt, {@code cachedTokens} of them read from cache. */
  double cost(long inputTokens, long cachedTokens, long outputTokens) {
    long cached = Math.min(cachedTokens, inputTokens);
    return (inputTokens - cached) * input + cached * cacheRead + outputTokens * output;
  }

  /** USD saved by reading {@code cachedTokens} from the provider's cache instead of paying full input price. */
  double hitValue(long cachedTokens) {
    return cachedTokens * Math.max(0, input - cacheRead);
  }
}
