package dev.ensemble.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The crash journal gets, per upstream read, every event and each run of one block's text or tool-argument deltas as
 * one merged delta numbered by the last: {@link CrashJournalBatch} takes a run's text from the answer's accumulator
 * (or its events, when no block is open) and hands over exactly what gathering the deltas' text one by one did, for
 * thousands of random answers, well-formed or not (deltas of another block or before any block, signatures, reads cut
 * anywhere).
 */
class CrashJournalBatchTest {

  @Test
  void aReadsDeltasOfOneBlockAreOneRecordWithTheirText() {
    List<String> handedOver = new ArrayList<>();
    Answer answer = new Answer(handedOver);
    answer.add(new StreamEvent.ResponseStart("r", "m", null, null, Usage.UNKNOWN));
    answer.add(StreamEvent.BlockStart.text(0));
    answer.add(StreamEvent.BlockDelta.text(0, "Hel"));
    answer.add(StreamEvent.BlockDelta.text(0, "lo"));
    answer.batch.endOfRead();
    answer.add(StreamEvent.BlockDelta.text(0, " wor"));
    answer.add(StreamEvent.BlockDelta.text(0, "ld"));
    answer.add(new StreamEvent.BlockStop(0));
    answer.batch.endOfRead();
    assertEquals(List.of("[0 response.start, 1 block.start, 3 block.delta text=Hello]",
        "[5 block.delta text= world, 6 block.stop]"), handedOver);
  }

  @Test
  void randomAnswersAreHandedOverAsGatheringTheTextDeltaByDeltaDid() {
    Random random = new Random(14);
    for (int round = 0; round < 5_000; round++) {
      List<String> expected = new ArrayList<>();
      List<String> got = new ArrayList<>();
      Reference reference = new Reference(expected);
      Answer answer = new Answer(got);
      int events = random.nextInt(40);
      for (int i = 0; i < events; i++) {
        StreamEvent event = randomEvent(random);
        reference.add(event);
        answer.add(event);
        if (random.nextInt(5) == 0) {
          reference.endOfRead();
          answer.batch.endOfRead();
        }
      }
      reference.endOfRead();
      answer.batch.endOfRead();
      assertEquals(expected, got, "round " + round);
    }
  }

  private static StreamEvent randomEvent(Random random) {
    int index = random.nextInt(3);
    String[] pieces = {"", "a", "Hé", "{\"x\":", "1}", " wörld 😀", "\\n"};
    String piece = pieces[random.nextInt(pieces.length)];
    return switch (random.nextInt(12)) {
      case 0 -> new StreamEvent.ResponseStart("r", "m", null, null, Usage.UNKNOWN);
      case 1 -> StreamEvent.BlockStart.text(index);
      case 2 -> StreamEvent.BlockStart.toolUse(index, "call", "f");
      case 3 -> StreamEvent.BlockStart.thinking(index);
      case 4 -> new StreamEvent.BlockStop(index);
      case 5 -> StreamEvent.BlockDelta.signature(index, piece);
      case 6 -> new StreamEvent.ResponseEnd(StopReason.END_TURN, null, Usage.UNKNOWN, null);
      case 7 -> new StreamEvent.Error(GatewayError.of(ErrorType.UPSTREAM_ERROR, "broke"));
      case 8, 9 -> StreamEvent.BlockDelta.partialJson(random.nextInt(4) == 0 ? index : 0, piece);
      default -> StreamEvent.BlockDelta.text(random.nextInt(4) == 0 ? index : 0, piece);
    };
  }

  private static String describe(StreamEvent[] events, int[] seqs, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StreamEvent event = events[i];
      String text = event instanceof StreamEvent.BlockDelta d
          ? (d.text() != null ? " text=" + d.text() : "") + (d.partialJson() != null ? " json=" + d.partialJson() : "")
          + (d.signature() != null ? " signature=" + d.signature() : "") : "";
      out.add(seqs[i] + " " + event.type() + text);
    }
    return out.toString();
  }

  /** An answer as the response journal keeps it: its events, its accumulator, the batch for the crash journal. */
  private static final class Answer {
    final List<Object> events = new ArrayList<>();
    final StreamAccumulator accumulator = new StreamAccumulator();
    final CrashJournalBatch batch;

    Answer(List<String> handedOver) {
      batch = new CrashJournalBatch(accumulator, events, (batch, seqs, count) -> handedOver.add(describe(batch, seqs, count)));
    }

    void add(StreamEvent event) {
      int seq = events.size();
      events.add(event);
      batch.add(seq, event);
      accumulator.accept(event);
    }
  }

  /** The gathering as it was: each delta's text appended to a builder of the run. */
  private static final class Reference {
    final List<String> handedOver;
    final List<StreamEvent> batch = new ArrayList<>();
    final List<Integer> seqs = new ArrayList<>();
    StreamEvent.BlockDelta held;
    StringBuilder heldText;
    int heldSeq;
    int next;

    Reference(List<String> handedOver) {
      this.handedOver = handedOver;
    }

    void add(StreamEvent event) {
      int seq = next++;
      if (event instanceof StreamEvent.BlockDelta delta && delta.signature() == null) {
        if (held != null && held.index() == delta.index() && (held.text() == null) == (delta.text() == null)) {
          if (heldText == null) {
            heldText = new StringBuilder(held.text() != null ? held.text() : held.partialJson());
          }
          heldText.append(delta.text() != null ? delta.text() : delta.partialJson());
          heldSeq = seq;
          return;
        }
        release();
        held = delta;
        heldSeq = seq;
        return;
      }
      release();
      batch.add(event);
      seqs.add(seq);
    }

    void release() {
      if (held == null) {
        return;
      }
      StreamEvent.BlockDelta delta = held;
      if (heldText != null) {
        String merged = heldText.toString();
        delta = held.text() != null ? StreamEvent.BlockDelta.text(held.index(), merged) : StreamEvent.BlockDelta.partialJson(held.index(), merged);
      }
      held = null;
      heldText = null;
      batch.add(delta);
      seqs.add(heldSeq);
    }

    void endOfRead() {
      release();
      if (batch.isEmpty()) {
        return;
      }
      int[] numbers = seqs.stream().mapToInt(Integer::intValue).toArray();
      handedOver.add(describe(batch.toArray(new StreamEvent[0]), numbers, numbers.length));
      batch.clear();
      seqs.clear();
    }
  }
}
