package dev.ensemble.cache;

import java.util.Locale;

/**
 * The client's {@code Cache-Control} request directives the response cache honours: {@code no-cache} (do not serve
 * from the cache, ask upstream and refresh the entry) and {@code no-store} (neither read nor write).
 */
public record CacheDirectives(boolean noCache, boolean noStore) {

  public static final CacheDirectives NONE = new CacheDirectives(false, false);

  public static CacheDirectives parse(String header) {
    if (header == null || header.isBlank()) {
      return NONE;
    }
    boolean noCache = false;
    boolean noStore = false;
    for (String part : header.toLowerCase(Locale.ROOT).split(",")) {
      String d = part.trim();
      int eq = d.indexOf('=');
      String name = eq < 0 ? d : d.substring(0, eq).trim();
      noCache |= name.equals("no-cache") || name.equals("max-age") && d.endsWith("=0");
      noStore |= name.equals("no-store");
    }
    return new CacheDirectives(noCache, noStore);
  }
}
