package dev.ensemble.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code providers.<name>:} — one provider account (or several keys of one) speaking one wire format.
 *
 * @param name               the provider's name as configured, shown in {@code X-Ensemble-Provider}
 * @param timeoutMs          bound on a whole non-streamed call
 * @param firstByteTimeoutMs bound on the wait for a response's first byte
 * @param idleTimeoutMs      bound on the gap between two stream events
 * @param kind               what the provider is for cache semantics and catalog {@code served_by} matching: a
 *                           provider type or an OpenAI-compatible profile ({@code xai}, {@code openrouter}, ...)
 * @param cache              the prompt-cache semantics of this provider's kind, with its own {@code cache:} laid over
 * @param headers            extra headers sent upstream on every request ({@code headers:}), in file order;
 *                           values are treated as secrets
 * @param providerPreferences OpenRouter's {@code provider} routing object ({@code provider_preferences:}) as plain
 *                           maps, lists and scalars; empty for none
 * @param http               how the provider's hosts are reached ({@code http:}): HTTP version and connections per host
 */
public record ProviderConfig(
    String name, ProviderType type, String baseUrl, Strategy strategy, long timeoutMs, long firstByteTimeoutMs,
    long idleTimeoutMs, List<KeyConfig> keys, String kind, ModelConfig.CacheSettings cache,
    Map<String, Secret> headers, Map<String, Object> providerPreferences, UpstreamHttp http) {

  public ProviderConfig {
    keys = List.copyOf(keys);
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    providerPreferences = Collections.unmodifiableMap(new LinkedHashMap<>(providerPreferences));
  }

  /**
   * Whether an endpoint without an API key is unusable: by type, and for the OpenAI-compatible family by
   * kind (a {@code self_hosted} server needs none).
   */
  public boolean needsKey() {
    return BuiltInKind.of(type, kind).needsKey();
  }

  /** {@code providers.<name>.keys[i]:} — one API key and the endpoints it may be used on. */
  public record KeyConfig(String name, Secret apiKey, double weight, List<EndpointConfig> endpoints) {
    public KeyConfig {
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * {@code providers.<name>.keys[i].endpoints[j]:} — a capacity unit with its own limits;
   * {@code baseUrl} and {@code region} override the provider's when set.
   */
  public record EndpointConfig(String id, Integer rpmLimit, Integer tpmLimit, String baseUrl, String region) {}

  /** What {@link #isRegion} accepts, in words. */
  public static final String REGION_RULE = "must be a region name (lowercase letters, digits and '-', e.g. us-east-1) "
      + "or projects/<project>/locations/<region>";
  private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*|projects/[A-Za-z0-9][A-Za-z0-9.:_-]{0,99}/locations/[a-z0-9]+(-[a-z0-9]+)*");

  /** Whether {@code region} can be an endpoint's region: it goes into upstream host names and URL paths. */
  public static boolean isRegion(String region) {
    return region.length() <= 200 && REGION.matcher(region).matches();
  }
}
