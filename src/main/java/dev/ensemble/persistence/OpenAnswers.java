package dev.ensemble.persistence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The answers the crash journal holds open: each one's lines so far (copied, for a compaction while it is open), which
 * of its two halves (stored, billed) are already durable, and the bytes of all those lines, which the journal keeps
 * under its {@code max_bytes}. Also the answers billed in the writer's current round before they ended, whose
 * {@code l} line waits for the round's end ({@link #billed}).
 *
 * <p>Owned by the {@link InflightJournal}'s writer thread; nothing else touches it (not thread-safe).
 */
final class OpenAnswers {

  /** The lines of an answer not yet closed, and which of its two halves (stored, billed) are already durable. */
  static final class Entry {
    final List<byte[]> lines = new ArrayList<>();
    boolean ended;
    boolean billed;
  }

  /** What the journal writes when an answer's ledger row is committed ({@link #billed}). */
  enum Billing {
    /** Not journalled (an embedding, an audit) or already closed: nothing. */
    NOT_OPEN,
    /** The answer ended already: its {@code l} line closes it now. */
    CLOSE_NOW,
    /** Still open: its {@code l} line waits for the round's end ({@link #billedStillOpen}). */
    DEFERRED
  }

  private final Map<String, Entry> byId = new LinkedHashMap<>();
  private final List<String> billedThisRound = new ArrayList<>();
  private long bytes;

  Entry get(String id) {
    return byId.get(id);
  }

  /** Keeps {@code line[0, length)} (copied) with the answer's lines, opening the answer if it is not yet. */
  void keep(String id, byte[] line, int length) {
    byId.computeIfAbsent(id, k -> new Entry()).lines.add(Arrays.copyOf(line, length));
    bytes += length;
  }

  /** The answer is closed: its lines are no longer kept. */
  void close(String id) {
    Entry entry = byId.remove(id);
    if (entry != null) {
      entry.lines.forEach(l -> bytes -= l.length);
    }
  }

  /**
   * The ledger committed the row of {@code id}. An answer still open is marked billed and remembered for the round's
   * end: if it ends meanwhile, its {@code x}, written without a row because it is billed, closes it alone, one line
   * instead of two; every line of the round reaches the OS in the round's write either way.
   */
  Billing billed(String id) {
    Entry entry = byId.get(id);
    if (entry == null) {
      return Billing.NOT_OPEN;
    }
    if (entry.ended) {
      return Billing.CLOSE_NOW;
    }
    entry.billed = true;
    billedThisRound.add(id);
    return Billing.DEFERRED;
  }

  /** The answers billed this round that did not end in it (their {@code l} lines are due); forgets the round's list. */
  List<String> billedStillOpen() {
    if (billedThisRound.isEmpty()) {
      return List.of();
    }
    List<String> due = new ArrayList<>(billedThisRound.size());
    for (String id : billedThisRound) {
      if (byId.containsKey(id)) {
        due.add(id);
      }
    }
    billedThisRound.clear();
    return due;
  }

  /** The bytes of every open answer's lines. */
  long bytes() {
    return bytes;
  }

  int size() {
    return byId.size();
  }

  /** The open answers in the order they opened (a compaction writes their lines in it). */
  Collection<Entry> entries() {
    return byId.values();
  }
}
