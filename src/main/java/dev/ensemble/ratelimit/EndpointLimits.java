package dev.ensemble.ratelimit;

import dev.ensemble.config.ProviderConfig;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configured limits of one endpoint: requests and tokens (input + output) per minute, either absent.
 * An endpoint with neither is never limited.
 */
public record EndpointLimits(Integer rpm, Integer tpm) {

  public static final EndpointLimits NONE = new EndpointLimits(null, null);

  public EndpointLimits {
    if (rpm != null && rpm <= 0 || tpm != null && tpm <= 0) {
      throw new IllegalArgumentException("rpm and tpm limits must be > 0 when set");
    }
  }

  public boolean limited() {
    return rpm != null || tpm != null;
  }

  /**
   * This node's fair share when {@code nodes} nodes count separately: each limit divided by the node count,
   * rounded down so the shares never add up to more than the limit, but at least 1.
   */
  public EndpointLimits shareOf(int nodes) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be >= 1");
    }
    return new EndpointLimits(share(rpm, nodes), share(tpm, nodes));
  }

  /** Every endpoint of every provider, by endpoint id, with its configured limits. */
  public static Map<String, EndpointLimits> of(Collection<ProviderConfig> providers) {
    Map<String, EndpointLimits> limits = new LinkedHashMap<>();
    for (ProviderConfig provider : providers) {
      for (ProviderConfig.KeyConfig key : provider.keys()) {
        for (ProviderConfig.EndpointConfig endpoint : key.endpoints()) {
          limits.put(endpoint.id(), new EndpointLimits(endpoint.rpmLimit(), endpoint.tpmLimit()));
        }
      }
    }
    return limits;
  }

  private static Integer share(Integer limit, int nodes) {
    return limit == null ? null : Math.max(1, limit / nodes);
  }
}
