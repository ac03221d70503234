package dev.ensemble.routing;

import java.util.Arrays;

/**
 * The longest cached prefix found per cache domain, for one request and cache semantics: a few entries at
 * most (one per domain holding some prefix), so a short array scan beats a map and boxes nothing. Confined to
 * the decision that looks them up.
 */
final class DomainHits {
  int[] domains = new int[4];
  CacheHit[] found = new CacheHit[4];
  int size;

  /** Keeps the first hit per domain: lookups run longest prefix first. */
  void putIfAbsent(int domain, long hash, int tokens) {
    if (get(domain) != null) {
      return;
    }
    if (size == domains.length) {
      domains = Arrays.copyOf(domains, size * 2);
      found = Arrays.copyOf(found, size * 2);
    }
    domains[size] = domain;
    found[size++] = new CacheHit(hash, tokens);
  }

  CacheHit get(int domain) {
    for (int i = 0; i < size; i++) {
      if (domains[i] == domain) {
        return found[i];
      }
    }
    return null;
  }
}
