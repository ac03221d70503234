package dev.ensemble.pools;

import dev.ensemble.providers.Endpoint;
import java.util.List;

/**
 * The endpoints of every key the admin API holds for one provider, in full: what its {@link PoolVerticle}
 * serves next to the keys of the config file. Carries decrypted keys, so it never leaves the node.
 */
public record KeySet(String provider, List<Endpoint> endpoints) {

  public KeySet {
    endpoints = List.copyOf(endpoints);
  }
}
