package dev.ensemble.bench;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.JournalCalls;
import dev.ensemble.persistence.LedgerEntry;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The crash journal writer's CPU per request with the records a {@code ChatExchange} journals (started, routed, the
 * answer's events, ended with its ledger row, the ledger's committed batch of 100), offered in batches of 100 requests
 * (one event loop's burst at c = 100) then waiting, sleeping, until the writer has written them: no spinning caller,
 * so it measures the same on one core or two, loaded or not. CPU is the writer thread's ({@code ThreadMXBean}).
 * Only API every jar since the typed records has, so the same class measures "before" and "after" against two jars.
 *
 * <p>Usage: {@code java -cp <classes> dev.ensemble.bench.JournalWriterCpu [requests] [rounds]}.
 */
public final class JournalWriterCpu {

  private static final ModelConfig.Pricing PRICING = new ModelConfig.Pricing(new BigDecimal("0.15"), new BigDecimal("0.60"),
      new BigDecimal("0.075"), BigDecimal.ZERO);

  private JournalWriterCpu() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    String text = "A complete answer of about four hundred characters, as a model returns it to a client that did not ask for a "
        + "stream: a few sentences about the question, with punctuation, numbers like 3.14 and 42, and \"quotes\". It is long "
        + "enough that encoding it is a real part of the record's cost, and short enough to be typical for a chat reply.";
    for (int r = 0; r <= rounds; r++) {
      for (boolean stream : new boolean[] {false, true}) {
        Path dir = Files.createTempDirectory("journal-cpu");
        InflightJournal journal = new InflightJournal(dir, 1000, 1L << 30);
        journal.open();
        long writer = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("ensemble-inflight-journal"))
            .findFirst().orElseThrow().getId();
        long cpu0 = mx.getThreadCpuTime(writer);
        long records = 0;
        List<LedgerEntry> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          String id = "01jbench" + r + (stream ? "s" : "n") + i;
          journal.started(id, "client-1", "openai", "gpt-test", 1_764_900_000L, stream);
          journal.routed(id, new dev.ensemble.persistence.JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 120, PRICING));
          int seq = 0;
          journal.event(id, seq++, new StreamEvent.ResponseStart(id, "gpt-test", "oai", "oai-1", null));
          journal.event(id, seq++, StreamEvent.BlockStart.text(0));
          if (stream) {
            for (int c = 0; c < 20; c++) {
              journal.event(id, seq++, StreamEvent.BlockDelta.text(0, "a streamed chunk " + c + " "));
            }
          } else {
            journal.event(id, seq++, StreamEvent.BlockDelta.text(0, text));
          }
          journal.event(id, seq++, new StreamEvent.BlockStop(0));
          journal.event(id, seq++, new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(120L, 95L, 0L, 0L), 0.0000750));
          LedgerEntry row = new LedgerEntry(id, "client-1", "oai", "oai-1", "gpt-test", "gpt-4o-mini", new Usage(120L, 95L, 0L, 0L),
              new BigDecimal("0.0000750"), 212, 40, 200, 1, "least_used", stream, 1_764_900_000_000L + i);
          batch.add(row);
          records += 2 + seq;
          if (batch.size() == 100) {
            JournalCalls.ledgerWritten(journal, List.copyOf(batch));
            records += 100;
            for (LedgerEntry b : batch) {
              journal.ended(b.requestId(), b);
              records++;
            }
            batch.clear();
            for (int wait = 0; wait < 10_000
                && journal.stats().getLong("records_written") + journal.stats().getLong("records_dropped") < records; wait++) {
              Thread.sleep(1);
            }
          }
        }
        double cpu = (mx.getThreadCpuTime(writer) - cpu0) / 1e3 / n;
        journal.close();
        System.out.printf(Locale.ROOT, "%s %s: writer %.2f µs CPU per request (%d records written)%n", r == 0 ? "warm-up" : "round " + r,
            stream ? "SSE 20 chunks (24 events)" : "non-streamed (5 events)", cpu, journal.stats().getLong("records_written"));
        try (var walk = Files.walk(dir)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
