package dev.ensemble.config;

import dev.ensemble.config.ModelConfig.CacheOverride;
import dev.ensemble.config.ModelConfig.CacheSettings;
import dev.ensemble.config.ModelConfig.Pricing;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Readers for the blocks {@code ensemble.yaml} and a model catalog share: {@code pricing:}, {@code cache:} and
 * {@code modalities:}.
 */
final class ModelFields {

  private ModelFields() {
  }

  /** USD per 1M tokens of a chat model; see {@link #pricing(ConfigNode, boolean, ModelKind)}. */
  static Pricing pricing(ConfigNode p, boolean required) {
    return pricing(p, required, ModelKind.CHAT);
  }

  /**
   * USD per 1M tokens, and per image for image models ({@code per_image}); cache prices default to the input
   * price, absent prices to 0. {@code kind} null is a model that declares none: it may serve any route, so
   * {@code per_image} is allowed too. When {@code required} (a catalog, whose models always have a kind), the
   * prices that define the kind must be written: input and output for chat, input for embedding, per_image for
   * image models.
   */
  static Pricing pricing(ConfigNode p, boolean required, ModelKind kind) {
    if (p.has("per_image") && kind != null && kind != ModelKind.IMAGE) {
      throw new ConfigException(p.pathOf("per_image"), "is only for models of kind image (this one is " + kind.wireName() + ")");
    }
    if (kind == null || kind == ModelKind.IMAGE) {
      p.allow("input", "output", "cache_read", "cache_write", "per_image");
    } else {
      p.allow("input", "output", "cache_read", "cache_write");
    }
    if (required && kind != null) {
      String[] keys = switch (kind) {
        case CHAT -> new String[] {"input", "output"};
        case EMBEDDING -> new String[] {"input"};
        case IMAGE -> new String[] {"per_image"};
      };
      for (String key : keys) {
        if (!p.has(key)) {
          throw new ConfigException(p.pathOf(key), "is required" + (kind == ModelKind.CHAT ? "" : " for a model of kind " + kind.wireName()));
        }
      }
    }
    BigDecimal input = price(p, "input", BigDecimal.ZERO);
    return new Pricing(input, price(p, "output", BigDecimal.ZERO), price(p, "cache_read", input), price(p, "cache_write", input),
        p.has("per_image") ? perImage(p) : null);
  }

  /** {@code per_image:} one price, or a mapping of variant keys to prices with a {@code default}. */
  private static ImagePricing perImage(ConfigNode p) {
    if (!p.isMapping("per_image")) {
      return ImagePricing.flat(price(p, "per_image", BigDecimal.ZERO));
    }
    ConfigNode variants = p.object("per_image");
    Map<String, BigDecimal> prices = new LinkedHashMap<>();
    for (String key : p.scalarMap("per_image").keySet()) {
      if (!key.equals("default")) {
        prices.put(key, price(variants, key, BigDecimal.ZERO));
      }
    }
    if (!variants.has("default")) {
      throw new ConfigException(variants.pathOf("default"), "is required: the price of an image no other key matches");
    }
    return new ImagePricing(price(variants, "default", BigDecimal.ZERO), prices);
  }

  /** A {@code cache:} block laid over defaults: any of mode, min_tokens, ttl_seconds. */
  static CacheOverride cacheOverride(ConfigNode c) {
    c.allow("mode", "min_tokens", "ttl_seconds");
    CacheMode mode = c.enumValue("mode", CacheMode.class, null);
    return new CacheOverride(mode, count(c, "min_tokens", mode), count(c, "ttl_seconds", mode));
  }

  /** A complete {@code cache:} block: mode, and min_tokens and ttl_seconds unless the mode is none. */
  static CacheSettings cacheSettings(ConfigNode c) {
    CacheOverride o = cacheOverride(c);
    if (o.mode() == null) {
      throw new ConfigException(c.pathOf("mode"), "is required (explicit, automatic or none)");
    }
    if (o.mode() == CacheMode.NONE) {
      return CacheSettings.NONE.with(o);
    }
    for (String key : new String[] {"min_tokens", "ttl_seconds"}) {
      if (!c.has(key)) {
        throw new ConfigException(c.pathOf(key), "is required when mode is " + o.mode().name().toLowerCase());
      }
    }
    return new CacheSettings(o.mode(), o.minTokens(), o.ttlSeconds());
  }

  /**
   * {@code modalities: [text, image, pdf, audio, video]}: what a model takes, or null when not set. Text must be
   * listed; unknown and repeated names fail with their path.
   */
  static Set<Modality> modalities(ConfigNode n) {
    if (!n.has("modalities")) {
      return null;
    }
    List<String> names = n.stringList("modalities");
    Set<Modality> out = EnumSet.noneOf(Modality.class);
    for (int i = 0; i < names.size(); i++) {
      String path = n.pathOf("modalities") + "[" + i + "]";
      Modality m = modality(names.get(i), path);
      if (!out.add(m)) {
        throw new ConfigException(path, "'" + m.configName() + "' is listed twice");
      }
    }
    if (!out.contains(Modality.TEXT)) {
      throw new ConfigException(n.pathOf("modalities"), "must include text");
    }
    return out;
  }

  private static Modality modality(String name, String path) {
    for (Modality m : Modality.values()) {
      if (m.configName().equals(name.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new ConfigException(path, "unknown modality '" + name + "' (known: "
        + String.join(", ", Arrays.stream(Modality.values()).map(Modality::configName).toList()) + ")");
  }

  /** A count > 0; 0 is also accepted next to {@code mode: none}, where the numbers mean nothing. */
  private static Integer count(ConfigNode c, String key, CacheMode mode) {
    if (!c.has(key) || c.string(key, "").isEmpty()) {
      return null;
    }
    if (mode == CacheMode.NONE && c.integer(key, 0) == 0) {
      return 0;
    }
    return c.positiveInt(key, 0);
  }

  private static BigDecimal price(ConfigNode p, String key, BigDecimal defaultValue) {
    BigDecimal v = p.decimal(key, defaultValue);
    if (v.signum() < 0) {
      throw new ConfigException(p.pathOf(key), "must be >= 0");
    }
    return v;
  }
}
