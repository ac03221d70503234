package dev.ensemble.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Requests and tokens each endpoint served in the last minute, in one-second buckets. Written only by the
 * {@link RouterVerticle} (one thread) as usage reports arrive; read lock-free by routing on every event
 * loop, where a slightly stale value is fine.
 */
public final class EndpointLoad {

  private static final int BUCKETS = 60;

  private final Map<String, Window> windows = new ConcurrentHashMap<>();

  /** Records one finished request on {@code endpointId} at {@code nowMillis}. Router-verticle thread only. */
  void record(String endpointId, long tokens, long nowMillis) {
    windows.computeIfAbsent(endpointId, id -> new Window()).add(nowMillis / 1000, tokens);
  }

  /** Requests served by {@code endpointId} in the last 60 seconds. */
  public long requestsLastMinute(String endpointId, long nowMillis) {
    Window w = windows.get(endpointId);
    return w == null ? 0 : w.sum(nowMillis / 1000, 0);
  }

  /** Input + output tokens served by {@code endpointId} in the last 60 seconds. */
  public long tokensLastMinute(String endpointId, long nowMillis) {
    Window w = windows.get(endpointId);
    return w == null ? 0 : w.sum(nowMillis / 1000, 1);
  }

  /** Per-second buckets: slot i holds second s where s % 60 == i, tagged with s so stale slots read as zero. */
  private static final class Window {
    private final AtomicLongArray seconds = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray requests = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray tokens = new AtomicLongArray(BUCKETS);

    void add(long second, long tokenCount) {
      int slot = (int) (second % BUCKETS);
      if (seconds.get(slot) != second) {
        requests.set(slot, 0);
        tokens.set(slot, 0);
        seconds.set(slot, second);
      }
      requests.incrementAndGet(slot);
      tokens.addAndGet(slot, tokenCount);
    }

    long sum(long nowSecond, int which) {
      long total = 0;
      for (int i = 0; i < BUCKETS; i++) {
        long s = seconds.get(i);
        if (s > nowSecond - BUCKETS && s <= nowSecond) {
          total += which == 0 ? requests.get(i) : tokens.get(i);
        }
      }
      return total;
    }
  }
}
