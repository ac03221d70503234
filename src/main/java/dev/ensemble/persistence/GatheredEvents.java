package dev.ensemble.persistence;

import java.util.Arrays;

/**
 * The event bodies (and their {@code seq}) of one answer that the crash journal's writer took in its current round, in
 * order: written as one {@code es} line before the answer's next record or at the round's end.
 *
 * <p>Owned by the {@link InflightJournal}'s writer thread.
 */
final class GatheredEvents {

  Object[] bodies = new Object[8];
  int[] seqs = new int[8];
  int count;

  void add(Object body, int seq) {
    if (count == bodies.length) {
      bodies = Arrays.copyOf(bodies, count * 2);
      seqs = Arrays.copyOf(seqs, count * 2);
    }
    bodies[count] = body;
    seqs[count++] = seq;
  }
}
