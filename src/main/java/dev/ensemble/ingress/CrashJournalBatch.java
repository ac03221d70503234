package dev.ensemble.ingress;

import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;

import java.util.Arrays;
import java.util.List;

/**
 * The events of one answer's current upstream read, gathered for the crash journal ({@link
 * dev.ensemble.persistence.InflightJournal}) and handed over in one go at the read's end ({@link #endOfRead()}): every
 * event but text and tool-argument deltas as it is, and consecutive such deltas of one block as one merged delta,
 * numbered by the last of them. Recovery needs the text and the characters streamed, not the chunking, so a read of
 * twenty chunks is one record instead of twenty.
 *
 * <p>A merged delta's text is not gathered as the deltas come: it is the end of the open block's text in the answer's
 * {@link StreamAccumulator}, which already holds it (one copy when the run is released). A run of deltas while no block
 * is open, which the accumulator does not keep, is joined from the answer's events instead. {@link #add} must see each
 * event before the accumulator does (so that a run is released while its block is still open). Owned by the
 * {@link ResponseJournal} of one answer, on its event loop.
 */
final class CrashJournalBatch {

  /** Where the gathered events go: {@code events[0, count)} with their {@code seqs}; the arrays are the sink's after the call. */
  @FunctionalInterface
  interface Sink {
    void events(StreamEvent[] events, int[] seqs, int count);
  }

  private final StreamAccumulator accumulator;
  /** The answer's events in {@code seq} order (what a run is joined from when the accumulator does not hold it). */
  private final List<Object> answer;
  private final Sink sink;
  /** The first delta of the run of deltas not yet released (null when none), the seq of the last, and their text's length. */
  private StreamEvent.BlockDelta held;
  private int heldFirstSeq;
  private int heldLastSeq;
  private int heldLength;
  /** Where the run's text starts in the accumulator's open block, -1 when no block was open at its start. */
  private int heldFrom;
  private StreamEvent[] batch;
  private int[] seqs;
  private int count;

  CrashJournalBatch(StreamAccumulator accumulator, List<Object> answer, Sink sink) {
    this.accumulator = accumulator;
    this.answer = answer;
    this.sink = sink;
  }

  /** Event {@code seq} of the answer, before the accumulator takes it. */
  void add(int seq, StreamEvent event) {
    if (event instanceof StreamEvent.BlockDelta delta && mergeable(delta)) {
      if (held != null && held.index() == delta.index() && (held.text() == null) == (delta.text() == null)) {
        heldLastSeq = seq;
        heldLength += piece(delta).length();
        return;
      }
      releaseHeld();
      held = delta;
      heldFirstSeq = heldLastSeq = seq;
      heldLength = piece(delta).length();
      heldFrom = accumulator.openTextLength();
      return;
    }
    releaseHeld();
    keep(seq, event);
  }

  /** The read's events go to the sink now, a run of deltas as one, in one hand-over (none when the read had none). */
  void endOfRead() {
    releaseHeld();
    if (count == 0) {
      return;
    }
    StreamEvent[] events = batch;
    int[] numbers = seqs;
    int n = count;
    batch = null;
    seqs = null;
    count = 0;
    sink.events(events, numbers, n);
  }

  /** A text or tool-argument delta (exactly one of the two set): merged with its neighbours of the same block. */
  private static boolean mergeable(StreamEvent.BlockDelta delta) {
    return delta.signature() == null && (delta.text() == null) != (delta.partialJson() == null);
  }

  private static String piece(StreamEvent.BlockDelta delta) {
    return delta.text() != null ? delta.text() : delta.partialJson();
  }

  /** The run of deltas (merged, if several), kept; nothing is held after. */
  private void releaseHeld() {
    if (held == null) {
      return;
    }
    StreamEvent.BlockDelta delta = held;
    held = null;
    if (heldLastSeq != heldFirstSeq) {
      String merged = heldFrom >= 0 && accumulator.openTextLength() == heldFrom + heldLength
          ? accumulator.openTextFrom(heldFrom) : joined();
      delta = delta.text() != null ? StreamEvent.BlockDelta.text(delta.index(), merged)
          : StreamEvent.BlockDelta.partialJson(delta.index(), merged);
    }
    keep(heldLastSeq, delta);
  }

  /** The run's text joined from the answer's events (they are all this run's deltas, one after another). */
  private String joined() {
    StringBuilder text = new StringBuilder(heldLength);
    for (int seq = heldFirstSeq; seq <= heldLastSeq; seq++) {
      text.append(piece((StreamEvent.BlockDelta) answer.get(seq)));
    }
    return text.toString();
  }

  private void keep(int seq, StreamEvent event) {
    if (batch == null) {
      batch = new StreamEvent[8];
      seqs = new int[8];
    } else if (count == batch.length) {
      batch = Arrays.copyOf(batch, count * 2);
      seqs = Arrays.copyOf(seqs, count * 2);
    }
    batch[count] = event;
    seqs[count++] = seq;
  }
}
