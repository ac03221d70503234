package dev.ensemble.persistence;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.testing.Eventually;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The crash journal of responses in flight, written and read back as a restarted node would. */
class InflightJournalTest {

  private final Path dir = Path.of(GatewayExtension.scratchDir("journal"));

  static final ModelConfig.Pricing PRICING = new ModelConfig.Pricing(BigDecimal.ONE, new BigDecimal("2"), BigDecimal.ZERO, BigDecimal.ZERO);

  private static void stream(InflightJournal journal, String id, String... deltas) {
    journal.started(id, "c-1", "openai", "gpt-test", 1_700_000_000L, true);
    journal.routed(id, new JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 12, PRICING));
    int seq = 0;
    journal.event(id, seq++, new StreamEvent.ResponseStart(id, "gpt-test", "oai", "oai-1", null));
    journal.event(id, seq++, StreamEvent.BlockStart.text(0));
    for (String d : deltas) {
      journal.event(id, seq++, StreamEvent.BlockDelta.text(0, d));
    }
  }

  private JournalRecovery.Interrupted only(JournalRecovery recovery) {
    assertEquals(1, recovery.interrupted().size(), recovery.summary());
    return recovery.interrupted().get(0);
  }

  @Test
  void theRecoveredErrorComesAfterTheLastEventsSeqWhenDeltasWereJournalledMerged() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    stream(journal, "r-merged");
    journal.event("r-merged", 5, StreamEvent.BlockDelta.text(0, "four deltas in one"));
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      ResponseRecord r = only(recovery).response();
      assertEquals("four deltas in one", r.text());
      JsonObject error = r.events().toJson().getJsonObject(r.events().size() - 1);
      assertEquals("error", error.getString("type"));
      assertEquals(6, error.getInteger("seq"), "seqs only grow, whatever the journal merged");
    }
  }

  /** The events of one upstream read handed over at once are journalled and recovered as if handed one by one. */
  @Test
  void eventsHandedOverTogetherAreRecoveredInTheirOrderWithTheirSeqs() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    journal.started("r-read", "c-1", "openai", "gpt-test", 1_700_000_000L, true);
    journal.routed("r-read", new JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 12, PRICING));
    journal.events("r-read", new StreamEvent[] {new StreamEvent.ResponseStart("r-read", "gpt-test", "oai", "oai-1", null),
        StreamEvent.BlockStart.text(0), StreamEvent.BlockDelta.text(0, "Hello "), null}, new int[] {0, 1, 3, 0}, 3);
    journal.events("r-read", new StreamEvent[] {StreamEvent.BlockDelta.text(0, "world")}, new int[] {7}, 1);
    journal.events("r-read", new StreamEvent[0], new int[0], 0);
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      ResponseRecord r = only(recovery).response();
      assertEquals("Hello world", r.text());
      io.vertx.core.json.JsonArray events = r.events().toJson();
      assertEquals(List.of("response.start 0", "block.start 1", "block.delta 3", "block.delta 7", "error 8"),
          events.stream().map(e -> ((JsonObject) e).getString("type") + " " + ((JsonObject) e).getInteger("seq")).toList());
      assertEquals(4L, journal.stats().getLong("records_written") - 2, "every event counted as a record written");
    }
  }

  @Test
  void responseLeftOpenIsRecoveredFailedInterruptedWithItsTextAndCountedOutput() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    stream(journal, "r-1", "Hello ", "world");
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      JournalRecovery.Interrupted it = only(recovery);
      ResponseRecord r = it.response();
      assertEquals(ResponseRecord.Status.FAILED, r.status());
      assertEquals("interrupted", r.publicJson().getJsonObject("error").getString("reason"));
      assertEquals("interrupted", r.publicJson().getString("reason"));
      assertEquals("Hello world", r.text());
      assertEquals(12L, r.usage().input());
      assertEquals(3L, r.usage().output(), "11 characters at 4 a token, rounded up");
      assertEquals("error", r.events().toJson().getJsonObject(r.events().size() - 1).getString("type"));
      assertEquals(0, new java.math.BigDecimal("0.000018").compareTo(r.costUsd()), "12 input x 1 + 3 output x 2 USD per 1M tokens");
      LedgerEntry row = it.ledger();
      assertEquals("oai-1", row.endpointId());
      assertEquals(3L, row.usage().output());
      assertTrue(row.routeReason().contains("output tokens counted from 11 streamed characters"), row.routeReason());
    }
  }

  @Test
  void responseThatEndedIsNotRecovered() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    stream(journal, "done", "all of it");
    journal.ended("done");
    stream(journal, "open", "half");
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals("open", only(recovery).response().id());
    }
  }

  @Test
  void responseStoredWhoseLedgerRowWasNotCommittedIsRecoveredAsExactlyThatRow() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    LedgerEntry sent = LedgerWriterTest.row(7);
    stream(journal, sent.requestId(), "complete answer");
    journal.ended(sent.requestId(), sent);
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      JournalRecovery.Interrupted it = only(recovery);
      assertNull(it.response(), "the response was stored: it is not replaced");
      assertEquals(sent, it.ledger(), "the row the node sent, not an estimate");
    }
  }

  @Test
  void responseStoredAndBilledIsNotRecoveredWhicheverCameFirst() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    LedgerEntry storedFirst = LedgerWriterTest.row(1);
    LedgerEntry billedFirst = LedgerWriterTest.row(2);
    stream(journal, storedFirst.requestId(), "one");
    stream(journal, billedFirst.requestId(), "two");
    stream(journal, "still-open", "three");
    journal.ended(storedFirst.requestId(), storedFirst);
    journal.ledgerWritten(List.of(storedFirst, billedFirst, LedgerWriterTest.row(3)));
    journal.ended(billedFirst.requestId(), billedFirst);
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals("still-open", only(recovery).response().id());
    }
  }

  @Test
  void responseBilledButNotStoredIsRecoveredWithoutASecondRow() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    LedgerEntry row = LedgerWriterTest.row(4);
    stream(journal, row.requestId(), "partial");
    journal.ledgerWritten(List.of(row));
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      JournalRecovery.Interrupted it = only(recovery);
      assertEquals("partial", it.response().text());
      assertNull(it.ledger(), "the ledger has its row already");
    }
  }

  @Test
  void answerBilledThenEndedInOneRoundIsClosedByItsEndLineAlone() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 3_600_000, 1 << 20);
    journal.open();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      LedgerEntry row = LedgerWriterTest.row(5);
      stream(journal, row.requestId(), "complete answer");
      Eventually.eventually("the answer's lines written and the writer idle", () -> journal.stats().getLong("records_written") == 5
          && journal.writerIdle());
      // as in the node: the worker's commit says the row is in, and the answer's end follows at once, one round for both
      vertx.getOrCreateContext().runOnContext(v -> {
        journal.ledgerWritten(List.of(row));
        journal.ended(row.requestId(), row);
      });
      Eventually.eventually("both records taken", () -> journal.stats().getLong("records_written") == 7);
      List<String> lines = Files.readAllLines(Path.of(journal.stats().getString("file")), StandardCharsets.UTF_8);
      assertEquals(List.of(), lines.stream().filter(l -> l.contains("\"k\":\"l\"")).toList(), "no ledger line: " + lines);
      JsonObject end = JournalLine.parse(lines.get(lines.size() - 1));
      assertEquals("x", end.getString("k"));
      assertNull(end.getValue("b"), "the end carries no row: the row is committed");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      journal.close();
    }

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals(List.of(), recovery.interrupted(), recovery.summary());
    }
  }

  @Test
  void finalUsageReportedByTheProviderIsKeptAsIs() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    stream(journal, "r-2", "complete answer");
    journal.event("r-2", 4, new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(40L, 7L, null, null), null));
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      JournalRecovery.Interrupted it = only(recovery);
      assertEquals(40L, it.response().usage().input());
      assertEquals(7L, it.response().usage().output());
      assertTrue(it.ledger().routeReason().contains("as the provider reported it"), it.ledger().routeReason());
    }
  }

  @Test
  void tornLastRecordIsSkippedAndTheRestRecovered() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    stream(journal, "r-3", "kept");
    journal.close();
    Path file = files().get(0);
    byte[] whole = LegacyJournalLine.of(new JsonObject().put("k", "e").put("id", "r-3")
        .put("b", new JsonObject().put("type", "block.delta").put("index", 0).put("text", " lost")));
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2), StandardOpenOption.APPEND);

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals("kept", only(recovery).response().text());
      assertEquals(1, recovery.skipped());
    }
  }

  @Test
  void corruptLineFailsItsChecksum() {
    String line = new String(LegacyJournalLine.of(new JsonObject().put("k", "x").put("id", "a")), StandardCharsets.UTF_8).trim();
    assertEquals("a", JournalLine.parse(line).getString("id"));
    assertNull(JournalLine.parse(line.replace("\"a\"", "\"b\"")));
  }

  @Test
  void compactionKeepsOnlyOpenResponsesAndBoundsTheFolder() throws Exception {
    long maxBytes = 64 * 1024;
    InflightJournal journal = new InflightJournal(dir, 1000, maxBytes);
    journal.open();
    stream(journal, "long-running", "first ");
    for (int i = 0; i < 2_000; i++) {
      stream(journal, "short-" + i, "a few words of an answer that finished");
      journal.ended("short-" + i);
    }
    journal.event("long-running", 3, StreamEvent.BlockDelta.text(0, "last"));
    LedgerEntry unbilled = LedgerWriterTest.row(9);
    stream(journal, unbilled.requestId(), "stored, row not yet committed");
    journal.ended(unbilled.requestId(), unbilled);
    for (int i = 2_000; i < 4_000; i++) {
      stream(journal, "short-" + i, "a few words of an answer that finished");
      journal.ended("short-" + i);
    }
    journal.close();

    assertTrue(journal.stats().getInteger("compactions") > 0, journal.stats().encode());
    assertEquals(1, files().size(), "the compacted file replaced the old one");
    assertTrue(Files.size(files().get(0)) < 2 * maxBytes, "journal size " + Files.size(files().get(0)));
    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals(2, recovery.interrupted().size(), recovery.summary());
      assertEquals("first last", recovery.interrupted().get(0).response().text());
      assertEquals(unbilled, recovery.interrupted().get(1).ledger(), "an ended response awaiting its row survives compaction");
    }
  }

  @Test
  void eventsPastTheBoundAreDroppedAndCounted() throws Exception {
    long maxBytes = 16 * 1024;
    InflightJournal journal = new InflightJournal(dir, 1000, maxBytes);
    journal.open();
    String chunk = "x".repeat(1000);
    String[] deltas = new String[100];
    java.util.Arrays.fill(deltas, chunk);
    stream(journal, "huge", deltas);
    journal.close();

    assertTrue(journal.stats().getLong("records_dropped") > 0, journal.stats().encode());
    assertTrue(Files.size(files().get(0)) < 2 * maxBytes + 2048, "journal size " + Files.size(files().get(0)));
  }

  @Test
  void recordOfferedToAnIdleJournalIsWrittenAtOnceNotAtTheNextFsync() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 3_600_000, 1 << 20);
    journal.open();
    try {
      for (int i = 1; i <= 3; i++) {
        // once a round finds nothing, the writer parks until the next fsync is due, an hour away
        Eventually.eventually("the writer idle", journal::writerIdle);
        journal.started("r-" + i, "c-1", "openai", "gpt-test", 1_700_000_000L, true);
        long records = i;
        Eventually.eventually("record " + i + " written", () -> journal.stats().getLong("records_written") == records);
      }
      assertEquals(3, journal.stats().getLong("writer_wakeups"), journal.stats().encode());
    } finally {
      journal.close();
    }
  }

  @Test
  void idleWriterIsWokenOnlyAfterTheOfferingEventLoopTaskHasEnded() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 3_600_000, 1 << 20);
    journal.open();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      Eventually.eventually("the writer idle", journal::writerIdle);
      java.util.concurrent.CompletableFuture<Long> writtenDuringTheTask = new java.util.concurrent.CompletableFuture<>();
      vertx.getOrCreateContext().runOnContext(v -> {
        // the request's first record, offered while the event loop still has the upstream request to send
        journal.started("r-1", "c-1", "openai", "gpt-test", 1_700_000_000L, true);
        // a writer woken at once would have written it well within this (the task holds its loop, the writer has its own thread)
        long until = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < until && journal.stats().getLong("records_written") == 0) {
          Thread.onSpinWait();
        }
        writtenDuringTheTask.complete(journal.stats().getLong("records_written"));
      });

      assertEquals(0L, writtenDuringTheTask.get(30, java.util.concurrent.TimeUnit.SECONDS), "nothing written while the task ran");
      Eventually.eventually("the record written once the task ended", () -> journal.stats().getLong("records_written") == 1);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      journal.close();
    }
  }

  @Test
  void writerIsWokenAtMostOnceAMillisecondWhileRecordsKeepComingAndCloseWritesAllStillQueued() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 3_600_000, 64L << 20);
    journal.open();
    journal.started("busy", "c-1", "openai", "gpt-test", 1_700_000_000L, true);
    journal.event("busy", 0, StreamEvent.BlockStart.text(0));
    int events = 2_000;
    long start = System.nanoTime();
    for (int seq = 1; seq <= events; seq++) {
      journal.event("busy", seq, StreamEvent.BlockDelta.text(0, "w" + seq + " "));
      // the node's own work between two records (100 µs), time enough for a writer woken per record to catch up
      long next = System.nanoTime() + 100_000;
      while (System.nanoTime() < next) {
        Thread.onSpinWait();
      }
    }
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    journal.close();

    JsonObject stats = journal.stats();
    assertEquals(events + 2, stats.getLong("records_written"), stats.encode());
    // a wake-up is followed by a round and a 1 ms pause before the writer can be idle again
    assertTrue(stats.getLong("writer_wakeups") <= 2 * elapsedMs + 2,
        "woken " + stats.getLong("writer_wakeups") + " times for " + events + " records in " + elapsedMs + " ms");
    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      String text = only(recovery).response().text();
      assertTrue(text.startsWith("w1 w2 ") && text.endsWith(" w" + events + " "), text.substring(0, 20) + "..." + text.substring(text.length() - 20));
    }
  }

  @Test
  void fileOfANodeStillRunningIsLeftAlone() throws Exception {
    InflightJournal gone = new InflightJournal(dir, 1000, 1 << 20);
    gone.open();
    stream(gone, "orphan", "recover me");
    gone.close();
    InflightJournal running = new InflightJournal(dir, 1000, 1 << 20);
    running.open();
    stream(running, "live", "not mine to recover");

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals("orphan", only(recovery).response().id());
      recovery.delete();
    }
    running.close();
    assertEquals(1, files().size(), "the running node's file stays");
  }

  private List<Path> files() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("inflight-")).toList();
    }
  }
}
