package dev.ensemble.bench.hop;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.AnswerBody;
import dev.ensemble.persistence.RecordEvents;
import dev.ensemble.persistence.RecordJson;
import dev.ensemble.persistence.ResponseRecord;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import dev.ensemble.wire.openai.OpenAiStreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * CPU time of persisting one answer's record, split by where it is spent, "before" and "after" alternated in one
 * thread of one JVM (the thread's CPU clock, so other load inflates it far less than wall time):
 * <ul>
 *   <li>before (the store until 2026-12-05, its code reproduced here): on the event loop, the events' JSON trees
 *   ({@code ResponseJournal.eventsJson}) and, for a stream, the body's tree; on the store's writer thread, the whole
 *   record's tree ({@code toJson()}) encoded again ({@code toBuffer()}) and framed as a checksummed line;</li>
 *   <li>after: on the event loop, the events list copied ({@link RecordEvents#of(List)}) and the body handed over as the
 *   Buffer the client was sent (non-streamed) or as a rendering for later (streamed); on the writer thread,
 *   {@link RecordJson#line} in one pass (for a stream, the body written there by the client format's
 *   {@code writeResponse}, straight into the record: no tree since 2026-12-06).</li>
 * </ul>
 * The answers are the stub upstream's: its non-streamed OpenAI completion, and its 20-chunk OpenAI stream decoded as the
 * gateway decodes it, for an OpenAI client. Usage:
 * {@code java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.StoredRecordCost [records] [rounds]}.
 */
public final class StoredRecordCost {

  private static final String ID = "01kbqz3x5m0000000000000000";
  private static final ResponseContext CONTEXT = new ResponseContext(ID, "bench-gpt", 1_764_930_000L);
  private static final ClientDialect OPENAI = new OpenAiClientDialect();
  private static final int BATCH = 1_000;
  private static volatile long sink;

  private StoredRecordCost() {
  }

  /** One answer as the request path holds it when it is persisted: its events and the body the client was sent. */
  private record Answer(String name, List<StreamEvent> events, UnifiedResponse response, Buffer sent, JsonObject sentTree, boolean streamed) {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    List<Answer> answers = List.of(nonStreamed(), streamed());
    for (Answer a : answers) {
      System.out.printf(Locale.ROOT, "%s: %d events, record line %d bytes%n", a.name(), a.events().size(), after(a, new RecordJson()).length);
    }
    for (int r = 0; r <= rounds; r++) {
      for (Answer a : answers) {
        long[] before = measure(n, a, true);
        long[] after = measure(n, a, false);
        if (r > 0) { // round 0 warms both up
          System.out.printf(Locale.ROOT, "round %d %-12s before: %5.2f µs event loop + %5.2f µs writer | after: %5.2f + %5.2f µs%n", r,
              a.name(), before[0] / 1e3 / n, before[1] / 1e3 / n, after[0] / 1e3 / n, after[1] / 1e3 / n);
        }
      }
    }
  }

  private static Answer nonStreamed() {
    UnifiedResponse answer = new UnifiedResponse(ID, "bench-gpt", List.of(ContentBlock.Text.of("Hello from the stub upstream: ok.")),
        StopReason.END_TURN, null, new Usage(12L, 8L, null, null));
    List<StreamEvent> events = StreamAccumulator.eventsOf(answer);
    JsonObject tree = OPENAI.encodeResponse(answer, CONTEXT);
    return new Answer("non-streamed", events, answer, tree.toBuffer(), tree, false);
  }

  private static Answer streamed() {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder();
    List<StreamEvent> events = new ArrayList<>(decoder.feed(Buffer.buffer(StubUpstream.openAiStream().getBytes(StandardCharsets.UTF_8))));
    events.addAll(decoder.finish());
    StreamAccumulator accumulator = new StreamAccumulator();
    events.forEach(accumulator::accept);
    return new Answer("SSE 20 chunks", events, accumulator.response(), null, null, true);
  }

  /** CPU ns of {@code n} records, made and written in batches of 1,000 (as the writer takes them): [event loop part, writer part]. */
  private static long[] measure(int n, Answer a, boolean before) {
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    RecordJson json = new RecordJson();
    List<ResponseRecord> made = new ArrayList<>(BATCH);
    long made0 = 0;
    long written = 0;
    long bytes = 0;
    for (int done = 0; done < n; done += BATCH) {
      made.clear();
      long t0 = cpu.getCurrentThreadCpuTime();
      for (int i = 0; i < BATCH; i++) {
        made.add(before ? recordBefore(a) : recordAfter(a));
      }
      long t1 = cpu.getCurrentThreadCpuTime();
      for (ResponseRecord r : made) {
        bytes += before ? lineBefore(r).length : json.line(r).length;
      }
      long t2 = cpu.getCurrentThreadCpuTime();
      made0 += t1 - t0;
      written += t2 - t1;
    }
    sink += bytes;
    return new long[] {made0, written};
  }

  private static ResponseRecord recordBefore(Answer a) {
    JsonArray events = new JsonArray(new ArrayList<>(a.events().size()));
    for (int seq = 0; seq < a.events().size(); seq++) {
      events.add(a.events().get(seq).toJson().put("seq", seq));
    }
    // non-streamed: the body's tree was shared with the client; streamed: rendered here only for the record
    JsonObject body = a.streamed() ? OPENAI.encodeResponse(a.response(), CONTEXT) : a.sentTree();
    return new ResponseRecord(ID, ResponseRecord.Status.COMPLETED, "openai", "bench-gpt", "stub", "stub-1", Instant.EPOCH, Instant.EPOCH,
        a.response().text(), "end_turn", a.response().usage(), new BigDecimal("0.000012"), false, body, events, null, "client-1", null);
  }

  private static ResponseRecord recordAfter(Answer a) {
    AnswerBody body = a.streamed() ? AnswerBody.later(g -> OPENAI.writeResponse(a.response(), CONTEXT, g)) : AnswerBody.of(a.sent());
    return new ResponseRecord(ID, ResponseRecord.Status.COMPLETED, "openai", "bench-gpt", "stub", "stub-1", Instant.EPOCH, Instant.EPOCH,
        a.response().text(), "end_turn", a.response().usage(), new BigDecimal("0.000012"), false, body, RecordEvents.of(a.events()), null,
        "client-1", null, null, null);
  }

  private static byte[] after(Answer a, RecordJson json) {
    return json.line(recordAfter(a));
  }

  /** The writer's work until 2026-12-05: the record's tree, encoded, framed as {@code <crc32 hex> <json>\n}. */
  private static byte[] lineBefore(ResponseRecord record) {
    byte[] json = record.toJson().toBuffer().getBytes();
    CRC32 crc = new CRC32();
    crc.update(json);
    byte[] line = new byte[9 + json.length + 1];
    long v = crc.getValue();
    for (int i = 7; i >= 0; i--) {
      line[i] = (byte) Character.forDigit((int) (v & 0xf), 16);
      v >>>= 4;
    }
    line[8] = ' ';
    System.arraycopy(json, 0, line, 9, json.length);
    line[line.length - 1] = '\n';
    return line;
  }
}
