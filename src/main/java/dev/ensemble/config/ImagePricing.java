package dev.ensemble.config;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code pricing.per_image:} — USD per generated image: one price, or prices by variant. A variant key is
 * {@code <quality>/<size>}, {@code <size>} or {@code <quality>} (e.g. {@code hd/1024x1792}, {@code 1792x1024},
 * {@code high}); the most specific key matching a request wins, else {@code default}.
 */
public record ImagePricing(BigDecimal defaultPrice, Map<String, BigDecimal> variants) {

  public ImagePricing {
    variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
  }

  public static ImagePricing flat(BigDecimal price) {
    return new ImagePricing(price, Map.of());
  }

  /** The price of one image of {@code quality} and {@code size}, either null when the request left it to the model. */
  public BigDecimal price(String quality, String size) {
    if (quality != null && size != null) {
      BigDecimal exact = variants.get(quality + "/" + size);
      if (exact != null) {
        return exact;
      }
    }
    if (size != null && variants.containsKey(size)) {
      return variants.get(size);
    }
    if (quality != null && variants.containsKey(quality)) {
      return variants.get(quality);
    }
    return defaultPrice;
  }
}
