package dev.ensemble.testing.fake;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/** Mutable state the routes share: accepted keys, id sequence, prompt cache, rate-limit counters. */
final class UpstreamState {

  static final int REQUESTS_LIMIT = 10_000;
  static final int TOKENS_LIMIT = 2_000_000;

  private final AtomicReference<Set<String>> acceptedKeys = new AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicBoolean keyOptional = new java.util.concurrent.atomic.AtomicBoolean();
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, AtomicInteger> requestsByKey = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> tokensByKey = new ConcurrentHashMap<>();
  private final AtomicReference<LongSupplier> clock = new AtomicReference<>(System::currentTimeMillis);
  private final PromptCache cache = new PromptCache(() -> clock.get().getAsLong());

  void acceptKeys(Set<String> keys) {
    acceptedKeys.set(keys == null ? null : Set.copyOf(keys));
  }

  boolean accepts(String key) {
    Set<String> keys = acceptedKeys.get();
    return keys == null || keys.contains(key);
  }

  void keyOptional(boolean optional) {
    keyOptional.set(optional);
  }

  boolean keyOptional() {
    return keyOptional.get();
  }

  void clock(LongSupplier millis) {
    clock.set(millis);
  }

  long nowMillis() {
    return clock.get().getAsLong();
  }

  long nextSequence() {
    return sequence.incrementAndGet();
  }

  PromptCache cache() {
    return cache;
  }

  /** Counts one request and its tokens for {@code key}; returns the remaining (requests, tokens). */
  int[] consume(String key, int tokens) {
    int requests = requestsByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    int used = tokensByKey.computeIfAbsent(key, k -> new AtomicInteger()).addAndGet(tokens);
    return new int[] {Math.max(0, REQUESTS_LIMIT - requests), Math.max(0, TOKENS_LIMIT - used)};
  }

  void reset() {
    acceptedKeys.set(null);
    keyOptional.set(false);
    requestsByKey.clear();
    tokensByKey.clear();
    clock.set(System::currentTimeMillis);
    cache.clear();
  }
}
