package dev.ensemble.config;

import java.math.BigDecimal;
import java.util.List;

/**
 * {@code models.<name>:} — a model clients may ask for, its prices and who serves it. {@link #pricing()} and
 * {@link #cache()} are the model-level values as written; each {@link Served} entry carries the values that
 * apply on that provider, fully resolved. {@link #kind()} is null for a model that declares none: it serves
 * chat, embeddings and images alike, and the provider's answer decides whether the model can.
 */
public record ModelConfig(String name, Pricing pricing, CacheOverride cache, List<Served> providers, ModelKind kind) {

  public ModelConfig {
    providers = List.copyOf(providers);
  }

  /** A chat model. */
  public ModelConfig(String name, Pricing pricing, CacheOverride cache, List<Served> providers) {
    this(name, pricing, cache, providers, ModelKind.CHAT);
  }

  /**
   * USD per one million tokens, and for image models USD per generated image ({@code perImage}, null when the
   * model is not priced per image).
   */
  public record Pricing(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite, ImagePricing perImage) {
    public static final Pricing FREE = new Pricing(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO);

    /** Token prices only. */
    public Pricing(BigDecimal input, BigDecimal output, BigDecimal cacheRead, BigDecimal cacheWrite) {
      this(input, output, cacheRead, cacheWrite, null);
    }
  }

  /**
   * Provider-side prompt cache: how it works, the minimum cacheable prefix and how long an entry lives.
   * With {@link CacheMode#NONE} the two numbers mean nothing and are 0.
   */
  public record CacheSettings(CacheMode mode, int minTokens, int ttlSeconds) {
    public static final CacheSettings NONE = new CacheSettings(CacheMode.NONE, 0, 0);

    /** These settings with every field {@code override} sets replaced. */
    public CacheSettings with(CacheOverride override) {
      return new CacheSettings(override.mode() == null ? mode : override.mode(),
          override.minTokens() == null ? minTokens : override.minTokens(),
          override.ttlSeconds() == null ? ttlSeconds : override.ttlSeconds());
    }
  }

  /** A {@code cache:} block as written: each field null when not set, to be laid over defaults. */
  public record CacheOverride(CacheMode mode, Integer minTokens, Integer ttlSeconds) {
    public static final CacheOverride UNSET = new CacheOverride(null, null, null);
  }

  /**
   * One provider serving this model under its own upstream model id, at the prices and cache semantics that apply
   * there, taking the media {@code modalities} says.
   */
  public record Served(String provider, String model, Pricing pricing, CacheSettings cache, Modalities modalities) {

    public Served {
      modalities = modalities == null ? Modalities.ALL : modalities;
    }

    /** Served with no restriction on media. */
    public Served(String provider, String model, Pricing pricing, CacheSettings cache) {
      this(provider, model, pricing, cache, Modalities.ALL);
    }
  }
}
