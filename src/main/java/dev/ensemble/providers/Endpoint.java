package dev.ensemble.providers;

import dev.ensemble.config.Secret;

/**
 * One capacity unit of a provider: a key used against one base URL, with its own limits. Immutable.
 *
 * @param id       unique across the node ({@code X-Ensemble-Endpoint})
 * @param keyName  the name of the key it uses
 * @param weight   the key's share of traffic under the {@code weighted} strategy
 * @param baseUrl  the base URL calls go to, as the provider's SDK names it
 */
public record Endpoint(
    String id, String provider, String keyName, Secret apiKey, double weight, Integer rpmLimit, Integer tpmLimit,
    String baseUrl, String region) {

  /** {@code key/endpoint}, for logs and status pages. */
  public String displayName() {
    return keyName + "/" + id;
  }
}
