package dev.ensemble.persistence;

import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

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

  private static JsonObject pricing() {
    return new JsonObject().put("input", "1").put("output", "2").put("cache_read", "0").put("cache_write", "0");
  }

  private static void stream(InflightJournal journal, String id, String... deltas) {
    journal.started(id, new JsonObject().put("client_id", "c-1").put("format", "openai").put("model", "gpt-test").put("created", 1_700_000_000L)
        .put("stream", true));
    journal.routed(id, new JsonObject().put("provider", "oai").put("endpoint", "oai-1").put("upstream_model", "gpt-4o-mini").put("attempts", 1)
        .put("reason", "least_used").put("input_estimate", 12).put("pricing", pricing()));
    int seq = 0;
    journal.event(id, new JsonObject().put("type", "response.start").put("id", id).put("seq", seq++));
    journal.event(id, new JsonObject().put("type", "block.start").put("index", 0).put("kind", "text").put("seq", seq++));
    for (String d : deltas) {
      journal.event(id, new JsonObject().put("type", "block.delta").put("index", 0).put("text", d).put("seq", seq++));
    }
  }

  private JournalRecovery.Interrupted only(JournalRecovery recovery) {
    assertEquals(1, recovery.interrupted().size(), recovery.summary());
    return recovery.interrupted().get(0);
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
      assertEquals("error", r.events().getJsonObject(r.events().size() - 1).getString("type"));
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
  void finalUsageReportedByTheProviderIsKeptAsIs() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    stream(journal, "r-2", "complete answer");
    journal.event("r-2", new JsonObject().put("type", "response.end").put("usage", new JsonObject().put("input", 40).put("output", 7)).put("seq", 4));
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
    byte[] whole = InflightJournal.line(new JsonObject().put("k", "e").put("id", "r-3")
        .put("b", new JsonObject().put("type", "block.delta").put("index", 0).put("text", " lost")));
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2), StandardOpenOption.APPEND);

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals("kept", only(recovery).response().text());
      assertEquals(1, recovery.skipped());
    }
  }

  @Test
  void corruptLineFailsItsChecksum() {
    String line = new String(InflightJournal.line(new JsonObject().put("k", "x").put("id", "a")), StandardCharsets.UTF_8).trim();
    assertEquals("a", InflightJournal.parse(line).getString("id"));
    assertNull(InflightJournal.parse(line.replace("\"a\"", "\"b\"")));
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
    journal.event("long-running", new JsonObject().put("type", "block.delta").put("index", 0).put("text", "last").put("seq", 3));
    journal.close();

    assertTrue(journal.stats().getInteger("compactions") > 0, journal.stats().encode());
    assertEquals(1, files().size(), "the compacted file replaced the old one");
    assertTrue(Files.size(files().get(0)) < 2 * maxBytes, "journal size " + Files.size(files().get(0)));
    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals("first last", only(recovery).response().text());
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
