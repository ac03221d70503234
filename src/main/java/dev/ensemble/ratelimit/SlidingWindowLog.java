package dev.ensemble.ratelimit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * An exact sliding-window limit: at most {@code limit} admissions in any {@code windowMillis}. The state is a
 * ring of the last {@code limit} admission times plus a cursor pointing at the oldest of them; a request is
 * admitted iff that oldest admission is at least {@code windowMillis} old, and then takes its slot. Lock-free
 * and safe from any thread.
 *
 * <p>Each slot is claimed with a compare-and-set from the time it held to the new admission's time, and a
 * claim succeeds only if the old time is at least a window before the new one. So successive admissions in
 * one slot are a window apart, each slot holds at most one admission of any window, and {@code limit} slots
 * can never admit more than {@code limit} — whatever the interleaving of threads. Every slot also carries the
 * parity of the ring round it was claimed in, so a thread that finds the slot under the cursor already
 * claimed for the current round (its claimer has not moved the cursor yet) moves the cursor on for it instead
 * of waiting.
 *
 * <p>Admissions are never given back: providers count failed requests too. A caller that must take several
 * limits together takes this one last (see {@link EndpointLimiter}).
 *
 * <p>Memory is one long per unit of the limit ({@link #MAX_LIMIT} bounds it). The ring is a plain
 * {@code long[]} and the cursor a field, both accessed through {@link VarHandle}s with volatile semantics, so a
 * routing decision's capacity check reads this object and one slot of the ring, not three objects.
 */
public final class SlidingWindowLog {

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle CURSOR;

  static {
    try {
      CURSOR = MethodHandles.lookup().findVarHandle(SlidingWindowLog.class, "cursor", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The largest limit kept as an exact log (8 MiB of slots). */
  public static final int MAX_LIMIT = 1 << 20;

  /** The time of a slot that has never been claimed: older than any window. */
  private static final long NEVER = -(1L << 61);
  /** A never-claimed slot, marked as claimed in round -1 (odd). */
  private static final long EMPTY = pack(NEVER, 1);

  private final int limit;
  private final long windowMillis;
  /** Per slot: admission time (ms on the caller's clock) shifted left by one, plus the round's parity. */
  private final long[] slots;
  /**
   * The slot of the oldest of the last {@code limit} admissions, as the ring round in the high 32 bits and the
   * slot index in the low 32 (so reading it takes no division); it only ever grows.
   */
  private volatile long cursor;

  public SlidingWindowLog(int limit, long windowMillis) {
    if (limit <= 0 || limit > MAX_LIMIT || windowMillis <= 0) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + " and the window > 0");
    }
    this.limit = limit;
    this.windowMillis = windowMillis;
    this.slots = new long[limit];
    Arrays.fill(slots, EMPTY);
  }

  public int limit() {
    return limit;
  }

  /** Admits one request at {@code now}, or returns false and changes nothing. */
  public boolean tryAcquire(long now) {
    while (true) {
      long c = cursor;
      int index = index(c);
      long parity = parity(c);
      long slot = (long) SLOTS.getVolatile(slots, index);
      if (cursor != c) {
        continue;
      }
      if ((slot & 1) == parity) {
        CURSOR.compareAndSet(this, c, next(c));
        continue;
      }
      if (now - time(slot) < windowMillis) {
        return false;
      }
      if (SLOTS.compareAndSet(slots, index, slot, pack(now, parity))) {
        CURSOR.compareAndSet(this, c, next(c));
        return true;
      }
    }
  }

  /** Whether a request would be admitted at {@code now} (a read; nothing is taken). */
  public boolean wouldAdmit(long now) {
    return retryAfterMillis(now) == 0;
  }

  /** How long until a request would be admitted: when the oldest of the last {@code limit} turns a window old. */
  public long retryAfterMillis(long now) {
    return Math.max(0, time(oldest()) + windowMillis - now);
  }

  /** Admissions in the window ending at {@code now}, 0..limit (exact when no claim is in flight). */
  public int used(long now) {
    long c = cursor;
    long expired = now - windowMillis;
    // Times ascend along the ring from the cursor, so the first one inside the window splits it.
    int lo = 0;
    int hi = limit;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      int at = index(c) + mid;
      if (time((long) SLOTS.getVolatile(slots, at < limit ? at : at - limit)) > expired) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return limit - lo;
  }

  /** The slot under the cursor, once no claim for the current round is in flight there. */
  private long oldest() {
    while (true) {
      long c = cursor;
      long slot = (long) SLOTS.getVolatile(slots, index(c));
      if (cursor != c) {
        continue;
      }
      if ((slot & 1) == parity(c)) {
        CURSOR.compareAndSet(this, c, next(c));
        continue;
      }
      return slot;
    }
  }

  private static int index(long cursor) {
    return (int) cursor;
  }

  /** The parity of the cursor's ring round. */
  private static long parity(long cursor) {
    return (cursor >>> 32) & 1;
  }

  /** The cursor one slot on: the next index, or index 0 of the next round. */
  private long next(long cursor) {
    int index = index(cursor) + 1;
    return index < limit ? cursor + 1 : ((cursor >>> 32) + 1) << 32;
  }

  private static long pack(long time, long parity) {
    return time << 1 | parity;
  }

  private static long time(long slot) {
    return slot >> 1;
  }
}
