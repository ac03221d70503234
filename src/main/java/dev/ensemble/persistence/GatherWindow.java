package dev.ensemble.persistence;

/**
 * How long the persistence worker lets finished answers gather after its last batch before it takes the next: the
 * commit of each batch syncs SQLite's WAL ({@code synchronous=FULL}, ~250 µs of the kernel's time), so the more
 * answers a commit holds, the less each pays for it. At an ordinary pace a batch follows the last after
 * {@link #QUIET_MS} ms; once a batch held {@link #BUSY_ANSWERS} answers or more (6,400 a second or more at 5 ms) the
 * next ones gather for {@link #BUSY_MS} ms, until a batch holds fewer (under 1,600 a second at 20 ms: the two
 * thresholds apart, so a node near one rate does not switch at every batch). Nothing a client waits for: its answer
 * is written before its record is offered, and until the commit the answer is read from the live registry and its
 * records stay in the crash journal (an answer there closes only once its index and ledger rows are committed).
 *
 * <p>Owned by the persistence verticle; touched only on its worker context.
 */
final class GatherWindow {

  /** The gathering interval at an ordinary pace. */
  static final long QUIET_MS = 5;
  /** The gathering interval while answers come fast. */
  static final long BUSY_MS = 20;
  /** The answers in one batch from which the next ones gather for {@link #BUSY_MS}. */
  static final int BUSY_ANSWERS = 32;

  private long millis = QUIET_MS;

  /** The interval the next batch waits for after the last one. */
  long millis() {
    return millis;
  }

  /** A batch of {@code answers} was taken: the next interval follows from how many came. */
  void taken(int answers) {
    millis = answers >= BUSY_ANSWERS ? BUSY_MS : QUIET_MS;
  }
}
