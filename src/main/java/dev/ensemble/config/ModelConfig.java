package dev.ensemble.config;

import java.math.BigDecimal;
import java.util.List;

/** {@code models.<name>:} — a model clients may ask for, its prices and who serves it. */
public record ModelConfig(String name, Pricing pricing, CacheSettings cache, List<Served> providers) {

  public ModelConfig {
    providers = List.copyOf(providers);
  }

  /** USD per one million tokens. */
  public record Pricing(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
    public static final Pricing FREE = new Pricing(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);
  }

  /** Provider-side prompt cache: minimum cacheable prefix and lifetime. */
  public record CacheSettings(int minTokens, int ttlSeconds) {}

  /** One provider serving this model under its own upstream model id. */
  public record Served(String provider, String model) {}
}
