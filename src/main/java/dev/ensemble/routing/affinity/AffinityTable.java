package dev.ensemble.routing.affinity;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which cache domain (an endpoint and model whose provider-side prompt cache is shared) most recently
 * wrote each prompt-prefix fingerprint, and until when that cache entry lives. Bounded memory, lock-free
 * reads.
 *
 * <h2>Threads</h2>
 * Exactly one thread writes ({@link #put}): the router verticle's, which receives every served request's
 * write checkpoints; a single writer needs no compare-and-set and cannot race another writer. Any number of
 * threads (every event loop) read ({@link #lookup}, {@link #longest}) without locks: each slot is published
 * with release stores and read with acquire loads, and a reader accepts a pair only when the slot's key word
 * is the same before and after it read the value, so it never returns a value torn from another key.
 *
 * <h2>Layout</h2>
 * One {@code long[]} of interleaved (key word, value) pairs: {@value #BYTES_PER_SLOT} bytes per slot, the
 * capacity a power of two fixed at construction (2^21 slots = 32 MiB, for about a million live entries at
 * a load of one half). The fingerprint is first mixed (MurmurHash3 finalizer); the top bits pick the home
 * slot, and:
 * <pre>
 *   key word = [mixed bits 0..47 (48) | replacement version (16)]     0 = empty, or being replaced
 *   value    = [mixed bits 48..59 (12) | domain id (20) | expiry, epoch seconds, unsigned (32)]
 * </pre>
 * So 60 of the 64 fingerprint bits are compared (plus the home slot): a lookup falsely matches another
 * key with odds of about 2^-56 per lookup at full load. The version, bumped each time a slot is given to
 * another key, makes a reader that stalled between its reads reject a slot that went from key A to B and
 * back to A meanwhile (it would otherwise pair A with B's value); that needs 2^16 replacements of one slot
 * during one stall to fool it.
 *
 * <h2>Replacement</h2>
 * Linear probing within a window of {@value #PROBE_WINDOW} slots from the home slot: {@link #put} refreshes
 * the key if present (extending its expiry, as providers do on a cache hit), else takes the first empty or
 * expired slot, else evicts the slot with the earliest expiry — an approximate LRU, since use refreshes
 * expiry. Slots never go back to empty, so probes stop at the first empty slot.
 */
public final class AffinityTable {

  /** Domain ids must be below this. */
  public static final int MAX_DOMAINS = 1 << 20;
  /** Slots probed from a key's home slot. */
  public static final int PROBE_WINDOW = 16;
  /** Memory per slot: a key word and a value. */
  public static final int BYTES_PER_SLOT = 16;

  /** The longest live checkpoint of a request: the domain that holds it and the prefix's estimated tokens. */
  public record Hit(int domainId, int tokens, int checkpoint) {}

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final long TAG_MASK = 0xFFFF_FFFF_FFFF_0000L;
  private static final long VERSION_MASK = 0xFFFFL;
  private static final long EXPIRY_MASK = 0xFFFF_FFFFL;
  private static final long MAX_EXPIRY = EXPIRY_MASK;

  private final long[] slots;
  private final int mask;
  private final int shift;
  private volatile int size;
  private volatile long evictions;

  /** @param capacity the number of slots, a power of two between {@value #PROBE_WINDOW} and 2^29 */
  public AffinityTable(int capacity) {
    if (capacity < PROBE_WINDOW || capacity > 1 << 29 || Integer.bitCount(capacity) != 1) {
      throw new IllegalArgumentException("capacity must be a power of two in [16, 2^29], got " + capacity);
    }
    this.slots = new long[capacity * 2];
    this.mask = capacity - 1;
    this.shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  public int capacity() {
    return mask + 1;
  }

  /** Occupied slots, expired entries included until their slot is reused; at most {@link #capacity()}. */
  public int size() {
    return size;
  }

  /** Live entries displaced to make room for another key since construction. */
  public long evictions() {
    return evictions;
  }

  /** The domain holding {@code fingerprint}, or -1 when absent or expired at {@code nowMillis}. */
  public int lookup(long fingerprint, long nowMillis) {
    long value = find(fingerprint);
    return value != 0 && live(value, Math.floorDiv(nowMillis, 1000)) ? domainOf(value) : -1;
  }

  /**
   * The first live checkpoint of {@code lookupHashes} (ordered longest first, as {@link Fingerprints}
   * gives them), or {@code null} when none is live.
   */
  public Hit longest(long[] lookupHashes, int[] lookupTokens, long nowMillis) {
    long nowSeconds = Math.floorDiv(nowMillis, 1000);
    for (int i = 0; i < lookupHashes.length; i++) {
      long value = find(lookupHashes[i]);
      if (value != 0 && live(value, nowSeconds)) {
        return new Hit(domainOf(value), lookupTokens[i], i);
      }
    }
    return null;
  }

  /** {@link #longest(long[], int[], long)} over a request's lookup checkpoints. */
  public Hit longest(Fingerprints fingerprints, long nowMillis) {
    return longest(fingerprints.lookupHashes(), fingerprints.lookupTokens(), nowMillis);
  }

  /**
   * Records that {@code domainId} holds {@code fingerprint} for {@code ttlSeconds} from now; a present key
   * takes the new domain and keeps the later of its old and new expiry. Writer thread only.
   */
  public void put(long fingerprint, int domainId, int ttlSeconds, long nowMillis) {
    if (domainId < 0 || domainId >= MAX_DOMAINS) {
      throw new IllegalArgumentException("domainId must be in [0, 2^20), got " + domainId);
    }
    if (ttlSeconds < 0) {
      throw new IllegalArgumentException("ttlSeconds must not be negative, got " + ttlSeconds);
    }
    long mixed = mix(fingerprint);
    long tag = tagOf(mixed);
    long check = checkOf(mixed);
    long nowSeconds = Math.floorDiv(nowMillis, 1000);
    long expiry = Math.max(0, Math.min(MAX_EXPIRY, nowSeconds + ttlSeconds));
    int slot = (int) (mixed >>> shift);
    int target = -1;
    int oldest = -1;
    long oldestExpiry = Long.MAX_VALUE;
    for (int p = 0; p < PROBE_WINDOW; p++, slot = (slot + 1) & mask) {
      long key = slots[2 * slot];
      if (key == 0) {
        if (target < 0) {
          target = slot;
        }
        break;
      }
      long value = slots[2 * slot + 1];
      long slotExpiry = value & EXPIRY_MASK;
      if ((key & TAG_MASK) == tag && checkOfValue(value) == check) {
        SLOTS.setRelease(slots, 2 * slot + 1, pack(check, domainId, Math.max(expiry, slotExpiry)));
        return;
      }
      if (slotExpiry <= nowSeconds) {
        if (target < 0) {
          target = slot;
        }
      } else if (slotExpiry < oldestExpiry) {
        oldestExpiry = slotExpiry;
        oldest = slot;
      }
    }
    if (target < 0) {
      target = oldest;
      evictions = evictions + 1;
    }
    replace(target, tag, pack(check, domainId, expiry));
  }

  private void replace(int slot, long tag, long value) {
    long old = slots[2 * slot];
    if (old == 0) {
      size = size + 1;
    }
    long version = (old + 1) & VERSION_MASK;
    SLOTS.setRelease(slots, 2 * slot, 0L);
    SLOTS.setRelease(slots, 2 * slot + 1, value);
    SLOTS.setRelease(slots, 2 * slot, tag | version);
  }

  /** The value stored for {@code fingerprint}, or 0 when absent or being replaced. */
  private long find(long fingerprint) {
    long mixed = mix(fingerprint);
    long tag = tagOf(mixed);
    long check = checkOf(mixed);
    int slot = (int) (mixed >>> shift);
    for (int p = 0; p < PROBE_WINDOW; p++, slot = (slot + 1) & mask) {
      long key = (long) SLOTS.getAcquire(slots, 2 * slot);
      if (key == 0) {
        return 0;
      }
      if ((key & TAG_MASK) != tag) {
        continue;
      }
      long value = (long) SLOTS.getAcquire(slots, 2 * slot + 1);
      if ((long) SLOTS.getAcquire(slots, 2 * slot) != key) {
        return 0;
      }
      if (checkOfValue(value) == check) {
        return value;
      }
    }
    return 0;
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    x *= 0xc4ceb9fe1a85ec53L;
    x ^= x >>> 33;
    return x;
  }

  private static long tagOf(long mixed) {
    long tag = mixed << 16;
    return tag == 0 ? 1L << 16 : tag;
  }

  private static long checkOf(long mixed) {
    return (mixed >>> 48) & 0xFFF;
  }

  private static long checkOfValue(long value) {
    return value >>> 52;
  }

  private static long pack(long check, int domainId, long expirySeconds) {
    return check << 52 | (long) domainId << 32 | expirySeconds;
  }

  private static int domainOf(long value) {
    return (int) (value >>> 32) & (MAX_DOMAINS - 1);
  }

  private static boolean live(long value, long nowSeconds) {
    return nowSeconds < (value & EXPIRY_MASK);
  }
}
