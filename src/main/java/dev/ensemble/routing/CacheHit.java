package dev.ensemble.routing;

/** A cached prefix found for one cache domain: its fingerprint and estimated tokens. */
record CacheHit(long hash, int tokens) {}
