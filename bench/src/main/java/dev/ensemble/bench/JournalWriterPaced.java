package dev.ensemble.bench;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.JournalCalls;
import dev.ensemble.persistence.JournalRoute;
import dev.ensemble.persistence.LedgerEntry;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The crash journal writer's CPU per non-streamed request in the shape of a node at c = 100: every millisecond
 * {@code perMs} requests start (their {@code s}, {@code r} and five events handed over in one {@code events} call, as
 * an exchange does), and the requests of {@code lagMs} milliseconds earlier have their ledger rows committed (one
 * {@code ledgerWritten} per batch, as the persistence worker's shared commit tells it) and then end ({@code x} with
 * the row, as {@code retire()} does). The caller paces itself with {@code parkNanos}, so the writer runs its 1 ms
 * rounds as in the node (not one round per burst, as {@link JournalWriterCpu} does). CPU is the writer thread's
 * ({@code ThreadMXBean}). Usage:
 * {@code taskset -c 0 java -cp <jar>:<classes> dev.ensemble.bench.JournalWriterPaced [requests] [rounds] [perMs] [lagMs]}.
 */
public final class JournalWriterPaced {

  private static final ModelConfig.Pricing PRICING = new ModelConfig.Pricing(new BigDecimal("0.15"), new BigDecimal("0.60"),
      new BigDecimal("0.075"), BigDecimal.ZERO);

  private JournalWriterPaced() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int perMs = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int lagMs = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    String text = "A complete answer of about four hundred characters, as a model returns it to a client that did not ask for a "
        + "stream: a few sentences about the question, with punctuation, numbers like 3.14 and 42, and \"quotes\". It is long "
        + "enough that encoding it is a real part of the record's cost, and short enough to be typical for a chat reply.";
    JournalRoute route = new JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 120, PRICING);
    for (int r = 0; r <= rounds; r++) {
      Path dir = Files.createTempDirectory("journal-paced");
      InflightJournal journal = new InflightJournal(dir, 1000, 1L << 30);
      journal.open();
      long writer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("ensemble-inflight-journal"))
          .findFirst().orElseThrow().getId();
      long cpu0 = mx.getThreadCpuTime(writer);
      long user0 = mx.getThreadUserTime(writer);
      long wall0 = System.nanoTime();
      ArrayDeque<List<LedgerEntry>> waiting = new ArrayDeque<>();
      int started = 0;
      while (started < n || !waiting.isEmpty()) {
        List<LedgerEntry> now = new ArrayList<>(perMs);
        for (int i = 0; i < perMs && started < n; i++, started++) {
          String id = "01jpaced" + r + "n" + started;
          journal.started(id, "client-1", "openai", "gpt-test", 1_764_900_000L, false);
          journal.routed(id, route);
          StreamEvent[] events = {
              new StreamEvent.ResponseStart(id, "gpt-test", "oai", "oai-1", null),
              StreamEvent.BlockStart.text(0),
              StreamEvent.BlockDelta.text(0, text),
              new StreamEvent.BlockStop(0),
              new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(120L, 95L, 0L, 0L), 0.0000750)};
          journal.events(id, events, new int[] {0, 1, 2, 3, 4}, events.length);
          now.add(new LedgerEntry(id, "client-1", "oai", "oai-1", "gpt-test", "gpt-4o-mini", new Usage(120L, 95L, 0L, 0L),
              new BigDecimal("0.0000750"), 212, 40, 200, 1, "least_used", false, 1_764_900_000_000L + started));
        }
        if (!now.isEmpty()) {
          waiting.add(now);
        }
        if (waiting.size() > lagMs || started >= n) {
          List<LedgerEntry> done = waiting.poll();
          if (!done.isEmpty()) {
            JournalCalls.ledgerWritten(journal, done);
            for (LedgerEntry row : done) {
              journal.ended(row.requestId(), row);
            }
          }
        }
        LockSupport.parkNanos(1_000_000);
      }
      for (int wait = 0; wait < 10_000 && (journal.stats().getLong("records_written") + journal.stats().getLong("records_dropped")) < 9L * n; wait++) {
        Thread.sleep(1);
      }
      double cpu = (mx.getThreadCpuTime(writer) - cpu0) / 1e3 / n;
      double user = (mx.getThreadUserTime(writer) - user0) / 1e3 / n;
      journal.close();
      double seconds = (System.nanoTime() - wall0) / 1e9;
      System.out.printf(Locale.ROOT, "%s: writer %.2f µs CPU per request, %.2f of it user (%d records, %d bytes on disk, %.0f requests/s, %s wake-ups)%n",
          r == 0 ? "warm-up" : "round " + r, cpu, user, journal.stats().getLong("records_written"), journal.stats().getLong("bytes"),
          n / seconds, journal.stats().getValue("writer_wakeups"));
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
