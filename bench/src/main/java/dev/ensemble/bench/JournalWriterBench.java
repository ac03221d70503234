package dev.ensemble.bench;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.JournalCalls;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.persistence.LegacyInflightJournal;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The crash journal's cost per request, before ({@link LegacyInflightJournal}, the writer as of commit 5e476d0, fed the
 * JSON trees the callers of that commit built) and after ({@link InflightJournal}, fed the typed records the callers
 * hand it now), interleaved in one run. Each request journals what a {@code ChatExchange} journals: started, routed
 * (with the model's prices), its unified events (non-streamed: 5 with a 400-character text; streamed: 20 deltas of
 * ~20 characters + 4), ended with its ledger row, and the ledger's committed batch (100 rows a batch).
 *
 * <p>Phases: (1) paced non-streamed requests at 5,000/s and (2) paced streams at 3,400/s (the gateway's steady state
 * in PERF_CONTEXT), reporting the writer thread's CPU per request and per line (ThreadMXBean), the caller's time
 * building and offering the records, and the callers' wake-ups of the writer (after only); (3) streams as fast as the
 * writer takes them (the caller waits while 50,000 lines are queued): lines/s and writer CPU per line.
 *
 * <p>Usage: {@code java -cp <gateway classes and bench classes> dev.ensemble.bench.JournalWriterBench [seconds] [rounds]}
 * (defaults 5 s per paced phase, 2 rounds of before/after).
 */
public final class JournalWriterBench {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final ModelConfig.Pricing PRICING = new ModelConfig.Pricing(new BigDecimal("0.15"), new BigDecimal("0.60"),
      new BigDecimal("0.075"), BigDecimal.ZERO);
  private static final String LONG_TEXT = "A complete answer of about four hundred characters, as a model returns it to a client that did not "
      + "ask for a stream: a few sentences about the question, with punctuation, numbers like 3.14 and 42, and \"quotes\". "
      + "It is long enough that encoding it is a real part of the record's cost, and short enough to be typical for "
      + "a chat reply that answers one question. The end.";
  private static final List<StreamEvent> WHOLE = List.of(new StreamEvent.ResponseStart("x", "gpt-test", "oai", "oai-1", null),
      StreamEvent.BlockStart.text(0), StreamEvent.BlockDelta.text(0, LONG_TEXT), new StreamEvent.BlockStop(0),
      new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(120L, 95L, 0L, 0L), 0.0000750));
  private static final List<StreamEvent> STREAM = stream();

  private static List<StreamEvent> stream() {
    List<StreamEvent> events = new ArrayList<>();
    events.add(new StreamEvent.ResponseStart("x", "gpt-test", "oai", "oai-1", null));
    events.add(StreamEvent.BlockStart.text(0));
    for (int i = 0; i < 20; i++) {
      events.add(StreamEvent.BlockDelta.text(0, "a streamed chunk " + i + " "));
    }
    events.add(new StreamEvent.BlockStop(0));
    events.add(new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(120L, 95L, 0L, 0L), 0.0000750));
    return List.copyOf(events);
  }

  /** One of the two journals, driven as the gateway's callers drive it. */
  private interface Subject extends AutoCloseable {
    /** Journals one request; returns the nanoseconds the caller spent building and offering its records. */
    long request(String id, LedgerEntry row, List<StreamEvent> events);

    void committed(List<LedgerEntry> rows);

    long linesWritten();

    long dropped();

    long wakeUps();

    @Override
    void close();
  }

  private static final class Before implements Subject {
    final LegacyInflightJournal journal;

    Before(Path dir) throws Exception {
      journal = new LegacyInflightJournal(dir, 1000, 64L << 20);
      journal.open();
    }

    @Override
    public long request(String id, LedgerEntry row, List<StreamEvent> events) {
      long t0 = System.nanoTime();
      // as ChatExchange.run / send and ResponseJournal.append built them at 5e476d0
      journal.started(id, new JsonObject().put("client_id", "client-1").put("format", "openai").put("model", "gpt-test")
          .put("created", 1_764_900_000L).put("stream", events.size() > 5));
      journal.routed(id, new JsonObject().put("provider", "oai").put("endpoint", "oai-1").put("upstream_model", "gpt-4o-mini")
          .put("attempts", 1).put("reason", "least_used").put("input_estimate", 120)
          .put("pricing", new JsonObject().put("input", PRICING.input().toPlainString()).put("output", PRICING.output().toPlainString())
              .put("cache_read", PRICING.cacheRead().toPlainString()).put("cache_write", PRICING.cacheWrite().toPlainString())));
      for (int seq = 0; seq < events.size(); seq++) {
        journal.event(id, events.get(seq).toJson().put("seq", seq));
      }
      journal.ended(id, row);
      return System.nanoTime() - t0;
    }

    @Override
    public void committed(List<LedgerEntry> rows) {
      JournalCalls.ledgerWritten(journal, rows);
    }

    @Override
    public long linesWritten() {
      return journal.stats().getLong("records_written");
    }

    @Override
    public long wakeUps() {
      return -1;
    }

    @Override
    public long dropped() {
      return journal.stats().getLong("records_dropped");
    }

    @Override
    public void close() {
      journal.close();
    }
  }

  private static final class After implements Subject {
    final InflightJournal journal;

    After(Path dir) throws Exception {
      journal = new InflightJournal(dir, 1000, 64L << 20);
      journal.open();
    }

    @Override
    public long request(String id, LedgerEntry row, List<StreamEvent> events) {
      long t0 = System.nanoTime();
      journal.started(id, "client-1", "openai", "gpt-test", 1_764_900_000L, events.size() > 5);
      journal.routed(id, new dev.ensemble.persistence.JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 120, PRICING));
      for (int seq = 0; seq < events.size(); seq++) {
        journal.event(id, seq, events.get(seq));
      }
      journal.ended(id, row);
      return System.nanoTime() - t0;
    }

    @Override
    public void committed(List<LedgerEntry> rows) {
      JournalCalls.ledgerWritten(journal, rows);
    }

    @Override
    public long linesWritten() {
      return journal.stats().getLong("records_written");
    }

    @Override
    public long wakeUps() {
      return journal.stats().getLong("writer_wakeups");
    }

    @Override
    public long dropped() {
      return journal.stats().getLong("records_dropped");
    }

    @Override
    public void close() {
      journal.close();
    }
  }

  private record Result(double requestsPerS, double linesPerS, double writerUsPerRequest, double writerUsPerLine, double callerUsPerRequest,
      long wakeUps, long requests, long dropped) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    THREADS.setThreadCpuTimeEnabled(true);
    Path root = Files.createTempDirectory("journal-writer-bench");
    System.out.printf(Locale.ROOT, "JDK %s, %d CPUs, %d s per paced phase, %d rounds%n", System.getProperty("java.version"),
        Runtime.getRuntime().availableProcessors(), seconds, rounds);
    // warm-up: both encoders and writers compiled before anything counts
    for (String variant : List.of("before", "after")) {
      run(variant, root, WHOLE, 20_000, 0);
      run(variant, root, STREAM, 5_000, 0);
    }
    for (int round = 1; round <= rounds; round++) {
      for (String variant : List.of("before", "after")) {
        print(round, variant, "non-streamed, 5,000 req/s", run(variant, root, WHOLE, 5_000 * seconds, 5_000));
        print(round, variant, "SSE 20 chunks, 3,400 streams/s", run(variant, root, STREAM, 3_400 * seconds, 3_400));
        print(round, variant, "SSE 20 chunks, flat out", run(variant, root, STREAM, 30_000, 0));
      }
    }
    deleteAll(root);
  }

  private static void print(int round, String variant, String phase, Result r) {
    System.out.printf(Locale.ROOT, "round %d %-6s %-31s %8.0f req/s %9.0f lines/s  writer %6.2f µs/req %5.2f µs/line  caller %5.2f µs/req  wake-ups %s%s%n",
        round, variant, phase, r.requestsPerS(), r.linesPerS(), r.writerUsPerRequest(), r.writerUsPerLine(), r.callerUsPerRequest(),
        r.wakeUps() < 0 ? "n/a" : r.wakeUps() + " (" + String.format(Locale.ROOT, "%.3f", (double) r.wakeUps() / r.requests()) + "/req)",
        r.dropped() == 0 ? "" : "  DROPPED " + r.dropped() + " records (queue full: the writer fell behind)");
  }

  /** {@code requests} requests at {@code perSecond} (0: as fast as the writer takes them), until every line is written. */
  private static Result run(String variant, Path root, List<StreamEvent> events, int requests, int perSecond) throws Exception {
    Path dir = Files.createTempDirectory(root, variant);
    Subject subject = variant.equals("before") ? new Before(dir) : new After(dir);
    long writer = writerThread(variant.equals("before") ? "legacy-inflight-journal" : "ensemble-inflight-journal");
    long linesPerRequest = 4 + events.size();
    long cpu0 = THREADS.getThreadCpuTime(writer);
    long caller = 0;
    List<LedgerEntry> batch = new ArrayList<>();
    long start = System.nanoTime();
    long interval = perSecond == 0 ? 0 : 1_000_000_000L / perSecond;
    for (int i = 0; i < requests; i++) {
      if (interval > 0) {
        long due = start + i * interval;
        while (System.nanoTime() < due) {
          Thread.onSpinWait();
        }
      } else {
        while ((long) i * linesPerRequest - subject.linesWritten() > 50_000) {
          Thread.onSpinWait();
        }
      }
      String id = "01jbench" + i;
      LedgerEntry row = new LedgerEntry(id, "client-1", "oai", "oai-1", "gpt-test", "gpt-4o-mini", new Usage(120L, 95L, 0L, 0L),
          new BigDecimal("0.0000750"), 212, 40, 200, 1, "least_used", events.size() > 5, 1_764_900_000_000L + i);
      caller += subject.request(id, row, events);
      batch.add(row);
      if (batch.size() == 100) {
        subject.committed(List.copyOf(batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      subject.committed(List.copyOf(batch));
    }
    long lines = requests * linesPerRequest;
    // a journal that cannot keep up drops what is over its queue's bound (counted)
    while (subject.linesWritten() + subject.dropped() < lines) {
      Thread.onSpinWait();
    }
    long elapsed = System.nanoTime() - start;
    long cpu = THREADS.getThreadCpuTime(writer) - cpu0;
    long wakeUps = subject.wakeUps();
    long dropped = subject.dropped();
    subject.close();
    deleteAll(dir);
    return new Result(requests / (elapsed / 1e9), lines / (elapsed / 1e9), cpu / 1e3 / requests, cpu / 1e3 / lines, caller / 1e3 / requests,
        wakeUps, requests, dropped);
  }

  private static long writerThread(String name) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no thread " + name)).getId();
  }

  private static void deleteAll(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
