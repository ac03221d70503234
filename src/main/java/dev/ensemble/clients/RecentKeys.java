package dev.ensemble.clients;

/**
 * The keys one {@link ClientDirectory} snapshot authenticated recently, each with its client: a direct-mapped table
 * of a power-of-two number of slots (twice the clients, at least 16, at most 4,096), a key's slot chosen by its
 * {@code String} hash. A key found here is one the snapshot authenticated by its SHA-256 before; the table only saves
 * that hash (and its hex round trip) for the next request with the same key. Two keys of one slot take turns; a key
 * that lost its slot is hashed again, as it would be without the table.
 *
 * <p>Timing: a lookup compares the presented key with whatever its slot holds — the remembered key, or an empty
 * one — character by character without stopping at the first difference ({@link #sameKey}), so how long a
 * lookup takes depends on the presented key's length and on nothing stored here: neither on whether the slot is
 * taken nor on how much of a remembered key the presented one matches. A hit (the whole key presented) skips the
 * SHA-256 and so is faster than a miss; only a caller who holds the key can see that. Keys that do not authenticate
 * are never stored, so a caller cannot fill the table with guesses.
 *
 * <p>Memory: the table holds keys that authenticated, in memory only, for as long as its snapshot is the current
 * one (a change to the clients replaces it, and this table with it); never written anywhere. Thread-safety: any
 * thread may read and write any slot without a lock. A slot holds one immutable {@link Entry} (final fields, so
 * safely published through a racy write); a thread may miss another's recent write and hash the key again, never
 * see half an entry.
 */
final class RecentKeys {

  static final int MIN_SLOTS = 16;
  static final int MAX_SLOTS = 4096;

  private static final Entry NONE = new Entry("", null);

  private final Entry[] slots;

  RecentKeys(int clients) {
    int wanted = Math.min(MAX_SLOTS, Math.max(MIN_SLOTS, clients * 2));
    this.slots = new Entry[Integer.highestOneBit(wanted - 1) << 1];
    java.util.Arrays.fill(slots, NONE);
  }

  /** The client whose key {@code key} is, if this table remembers it; else null. */
  Client find(String key) {
    Entry entry = slots[slotOf(key)];
    return sameKey(key, entry.key) ? entry.client : null;
  }

  void remember(String key, Client client) {
    slots[slotOf(key)] = new Entry(key, client);
  }

  int slots() {
    return slots.length;
  }

  private int slotOf(String key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (slots.length - 1);
  }

  /**
   * Whether {@code presented} equals {@code known}, in a time that depends on {@code presented}'s length only: every
   * character is compared (with the known key's first character past its end), the differences are gathered and
   * read once at the end.
   */
  static boolean sameKey(String presented, String known) {
    int n = presented.length();
    int m = known.length();
    int diff = n ^ m;
    for (int i = 0; i < n; i++) {
      char k = m == 0 ? 0 : known.charAt(i < m ? i : 0);
      diff |= presented.charAt(i) ^ k;
    }
    return diff == 0;
  }

  private record Entry(String key, Client client) {
  }
}
