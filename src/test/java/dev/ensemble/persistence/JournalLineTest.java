package dev.ensemble.persistence;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The crash journal's lines as the writer encodes them: byte for byte what every earlier version wrote for the same
 * record (so files and tools keep reading them), and files written by an earlier version recovered as before.
 */
class JournalLineTest {

  private final Path dir = Path.of(GatewayExtension.scratchDir("journal-lines"));

  private static final ModelConfig.Pricing ODD_PRICES = new ModelConfig.Pricing(new BigDecimal("0.30"), new BigDecimal("1.5E+1"),
      new BigDecimal("3.75"), new BigDecimal("1E-7"));
  private static final String TEXT = "héllo \"wörld\" 😀 中文 \n\t\u0001 </script> \\ \u2028 end";

  /** A record offered through the journal's API and the JSON body the earlier callers built for it. */
  private record Case(String kind, String id, JsonObject oldBody) {}

  /** Offers the records of one response and returns what the earlier callers would have journalled for them. */
  private static List<Case> offerOneOfEach(InflightJournal journal) {
    List<Case> cases = new ArrayList<>();
    String id = "01jtest0000000000000000001";
    journal.started(id, null, "anthropic", "claude-test", 1_700_000_001L, false);
    cases.add(new Case("s", id, new JsonObject().put("client_id", null).put("format", "anthropic").put("model", "claude-test")
        .put("created", 1_700_000_001L).put("stream", false)));
    journal.routed(id, new JournalRoute("ant", "ant-1", "claude-sonnet", 2, null, 1234, ODD_PRICES));
    cases.add(new Case("r", id, new JsonObject().put("provider", "ant").put("endpoint", "ant-1").put("upstream_model", "claude-sonnet")
        .put("attempts", 2).put("reason", null).put("input_estimate", 1234)
        .put("pricing", new JsonObject().put("input", ODD_PRICES.input().toPlainString()).put("output", ODD_PRICES.output().toPlainString())
            .put("cache_read", ODD_PRICES.cacheRead().toPlainString()).put("cache_write", ODD_PRICES.cacheWrite().toPlainString()))));
    journal.routed(id, new JournalRoute("ant", "ant-2", "claude-sonnet", 3, "failover:429", 1234, ODD_PRICES));
    cases.add(new Case("r", id, new JsonObject().put("provider", "ant").put("endpoint", "ant-2").put("upstream_model", "claude-sonnet")
        .put("attempts", 3).put("reason", "failover:429").put("input_estimate", 1234)
        .put("pricing", new JsonObject().put("input", "0.30").put("output", "15").put("cache_read", "3.75").put("cache_write", "0.0000001"))));
    List<StreamEvent> events = List.of(
        new StreamEvent.ResponseStart(id, "claude-test", "ant", "ant-2", null),
        StreamEvent.BlockStart.thinking(0),
        StreamEvent.BlockDelta.text(0, "let me think"),
        StreamEvent.BlockDelta.signature(0, "c2lnbmF0dXJl"),
        new StreamEvent.BlockStop(0),
        StreamEvent.BlockStart.text(1),
        StreamEvent.BlockDelta.text(1, TEXT),
        StreamEvent.BlockStart.toolUse(2, "toolu_01", "get_weather"),
        StreamEvent.BlockDelta.partialJson(2, "{\"city\": \"Z\\u00fcrich\"}"),
        new StreamEvent.ResponseEnd(StopReason.TOOL_USE, null, new Usage(1200L, 85L, 1000L, null, 12L), 0.00123),
        new StreamEvent.Error(new GatewayError(ErrorType.UPSTREAM_ERROR, 502, "upstream said \"no\"", true, null, null)));
    for (int seq = 0; seq < events.size(); seq++) {
      journal.event(id, seq, events.get(seq));
      cases.add(new Case("e", id, events.get(seq).toJson().put("seq", seq)));
    }
    JsonObject cancel = new JsonObject().put("type", "error").put("error", new JsonObject().put("status", 499).put("type", "cancelled")
        .put("message", "cancelled by the client").put("retryable", false)).put("seq", events.size());
    journal.event(id, cancel);
    cases.add(new Case("e", id, cancel.copy()));
    LedgerEntry row = new LedgerEntry(id, null, "ant", "ant-2", "claude-test", "claude-sonnet", new Usage(1200L, 85L, 1000L, null),
        new BigDecimal("0.0012345"), 812, 95, 200, 3, "failover:429", true, 1_700_000_002_345L, null, "miss", null);
    journal.ended(id, row);
    cases.add(new Case("x", id, LedgerEntryJson.toJson(row)));
    journal.ledgerWritten(List.of(row, LedgerWriterTest.row(77)));
    cases.add(new Case("l", id, null));
    journal.ended("never-journalled");
    cases.add(new Case("x", "never-journalled", null));
    return cases;
  }

  @Test
  void everyRecordIsWrittenByteForByteAsTheEarlierEncoderWroteIt() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    List<Case> cases = offerOneOfEach(journal);
    journal.close();

    List<String> expected = new ArrayList<>();
    for (Case c : cases) {
      expected.add(new String(LegacyJournalLine.of(c.kind(), c.id(), c.oldBody()), StandardCharsets.ISO_8859_1));
    }
    assertEquals(expected, eachEventAlone(lines(Files.readAllBytes(onlyFile())), expected));
  }

  @Test
  void ledgerRowOfAnEndedAnswerIsWrittenByteForByteAsItsSpillFileJson() {
    JournalLine line = new JournalLine();
    String id = "01jtest0000000000000000003";
    List<LedgerEntry> rows = List.of(
        new LedgerEntry(id, "cli-1", "oai", "oai-1", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", new Usage(500L, 250L, null, null, 40L),
            new BigDecimal("0.000225"), 12, -1, 200, 1, "least_used", false, 1_700_000_002_345L, 3, "SEMANTIC_HIT", new BigDecimal("1E-9")),
        new LedgerEntry(id, null, null, null, "m", null, null, null, 0, 7, 499, 0, null, true, 0L, null, null, null),
        new LedgerEntry(id, "c", "ant", "ant-2", TEXT, "x", Usage.UNKNOWN, BigDecimal.ZERO, Long.MAX_VALUE, 95, 200, 3, TEXT, true,
            1L, 0, "HIT", new BigDecimal("12.5")));
    for (LedgerEntry row : rows) {
      int length = line.encode('x', id, row, 0);
      assertEquals(new String(LegacyJournalLine.of("x", id, LedgerEntryJson.toJson(row)), StandardCharsets.ISO_8859_1),
          new String(line.array(), 0, length, StandardCharsets.ISO_8859_1), row.toString());
    }
  }

  @Test
  void fileWrittenByTheEarlierEncoderIsRecoveredAsTheSameRecordsWrittenNow() throws Exception {
    Path before = dir.resolve("before");
    Path now = dir.resolve("now");
    InflightJournal journal = new InflightJournal(now, 1000, 1 << 20);
    journal.open();
    List<Case> cases = offerOneOfEach(journal);
    String open = "01jtest0000000000000000002";
    journal.started(open, "c-1", "openai", "gpt-test", 1_700_000_000L, true);
    journal.routed(open, new JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 12, InflightJournalTest.PRICING));
    journal.event(open, 0, new StreamEvent.ResponseStart(open, "gpt-test", "oai", "oai-1", null));
    journal.event(open, 1, StreamEvent.BlockStart.text(0));
    journal.event(open, 2, StreamEvent.BlockDelta.text(0, "Hello "));
    journal.event(open, 3, StreamEvent.BlockDelta.text(0, TEXT));
    journal.close();

    ByteArrayOutputStream old = new ByteArrayOutputStream();
    for (Case c : cases) {
      old.write(LegacyJournalLine.of(c.kind(), c.id(), c.oldBody()));
    }
    old.write(LegacyJournalLine.of("s", open, new JsonObject().put("client_id", "c-1").put("format", "openai").put("model", "gpt-test")
        .put("created", 1_700_000_000L).put("stream", true)));
    old.write(LegacyJournalLine.of("r", open, new JsonObject().put("provider", "oai").put("endpoint", "oai-1").put("upstream_model", "gpt-4o-mini")
        .put("attempts", 1).put("reason", "least_used").put("input_estimate", 12)
        .put("pricing", new JsonObject().put("input", "1").put("output", "2").put("cache_read", "0").put("cache_write", "0"))));
    old.write(LegacyJournalLine.of("e", open, new JsonObject().put("type", "response.start").put("id", open).put("model", "gpt-test")
        .put("provider", "oai").put("endpoint", "oai-1").put("seq", 0)));
    old.write(LegacyJournalLine.of("e", open, new JsonObject().put("type", "block.start").put("index", 0).put("kind", "text").put("seq", 1)));
    old.write(LegacyJournalLine.of("e", open, new JsonObject().put("type", "block.delta").put("index", 0).put("text", "Hello ").put("seq", 2)));
    old.write(LegacyJournalLine.of("e", open, new JsonObject().put("type", "block.delta").put("index", 0).put("text", TEXT).put("seq", 3)));
    Files.createDirectories(before);
    Files.write(before.resolve(InflightJournal.PREFIX + UUID.randomUUID() + InflightJournal.SUFFIX), old.toByteArray());

    assertEquals(lines(old.toByteArray()), eachEventAlone(lines(Files.readAllBytes(onlyFile(now))), lines(old.toByteArray())), "the same bytes");
    Instant at = Instant.parse("2026-12-05T12:00:00Z");
    try (JournalRecovery fromOld = JournalRecovery.scan(before, at); JournalRecovery fromNew = JournalRecovery.scan(now, at)) {
      assertEquals(fromOld.summary(), fromNew.summary());
      assertEquals(1, fromOld.interrupted().size(), fromOld.summary());
      assertEquals(0, fromOld.skipped());
      ResponseRecord recovered = fromOld.interrupted().get(0).response();
      assertEquals("Hello " + TEXT, recovered.text());
      assertEquals(Instant.ofEpochSecond(1_700_000_000L), recovered.createdAt());
      long output = (("Hello " + TEXT).length() + 3) / 4;
      assertEquals(output, recovered.usage().output(), "the characters streamed, 4 a token");
      assertEquals(0, BigDecimal.valueOf(12 + 2 * output, 6).compareTo(recovered.costUsd()),
          "12 input x 1 + output x 2 USD per 1M tokens: " + recovered.costUsd());
      assertEquals(recovered.publicJson(), fromNew.interrupted().get(0).response().publicJson());
      assertEquals(fromOld.interrupted().get(0).ledger(), fromNew.interrupted().get(0).ledger());
    }
  }

  @Test
  void textEndingInHalfASurrogatePairIsJournalledAndReadBackWhole() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    journal.started("split", "c-1", "openai", "gpt-test", 1_700_000_000L, true);
    journal.event("split", 0, StreamEvent.BlockStart.text(0));
    journal.event("split", 1, StreamEvent.BlockDelta.text(0, "smile \ud83d"));
    journal.event("split", 2, StreamEvent.BlockDelta.text(0, "\ude00!"));
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals(0, recovery.skipped(), "no line fails its checksum");
      assertEquals("smile 😀!", recovery.interrupted().get(0).response().text());
    }
  }

  /** Not a JSON tree value: Vert.x's codec (jackson-databind) writes it, as it always did. */
  public record Point(int x, int y) {}

  @Test
  void bodyHoldingAnObjectOnlyDatabindWritesIsEncodedAsBeforeAndTheNextLinesToo() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    JsonObject odd = new JsonObject().put("type", "block.delta").put("index", 0).put("point", new Point(1, 2)).put("seq", 0);
    journal.started("odd", "c-1", "openai", "gpt-test", 1_700_000_000L, true);
    journal.event("odd", odd);
    journal.event("odd", 1, StreamEvent.BlockDelta.text(0, "after"));
    journal.close();

    List<String> expected = List.of(
        new String(LegacyJournalLine.of("s", "odd", new JsonObject().put("client_id", "c-1").put("format", "openai").put("model", "gpt-test")
            .put("created", 1_700_000_000L).put("stream", true)), StandardCharsets.ISO_8859_1),
        new String(LegacyJournalLine.of("e", "odd", odd), StandardCharsets.ISO_8859_1),
        new String(LegacyJournalLine.of("e", "odd", new JsonObject().put("type", "block.delta").put("index", 0).put("text", "after")
            .put("seq", 1)), StandardCharsets.ISO_8859_1));
    List<String> written = lines(Files.readAllBytes(onlyFile()));
    assertEquals(expected, eachEventAlone(written, expected));
    JsonObject firstEvent = JournalLine.parse(written.get(1).trim()).getJsonObject("b");
    firstEvent = firstEvent.containsKey("events") ? firstEvent.getJsonArray("events").getJsonObject(0) : firstEvent;
    assertEquals(new JsonObject().put("x", 1).put("y", 2), firstEvent.getJsonObject("point"));
  }

  @Test
  void responseWithoutPricesIsRecoveredWithoutACost() throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 1 << 20);
    journal.open();
    journal.started("free", "c-1", "openai", "gpt-test", 1_700_000_000L, true);
    journal.routed("free", new JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 12, null));
    journal.close();

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertNull(recovery.interrupted().get(0).response().costUsd());
    }
  }

  @Test
  void eventsOfOneAnswerTakenTogetherShareALineEachEventEncodedAsItsOwnLineWouldBe() throws Exception {
    JournalLine line = new JournalLine();
    Object[] bodies = {StreamEvent.BlockStart.text(0), StreamEvent.BlockDelta.text(0, TEXT),
        new JsonObject().put("type", "block.stop").put("index", 0).put("seq", 2)};
    int[] seqs = {0, 1, 0};
    List<String> alone = new ArrayList<>();
    for (int i = 0; i < bodies.length; i++) {
      int length = line.encode('e', "01jtest0000000000000000003", bodies[i], seqs[i]);
      alone.add(new String(line.array(), 0, length, StandardCharsets.ISO_8859_1));
    }
    int length = line.encodeEvents("01jtest0000000000000000003", bodies, seqs, 0, bodies.length, 1 << 20);

    assertEquals(3, line.eventsInLine());
    assertEquals(combined(alone), new String(line.array(), 0, length, StandardCharsets.ISO_8859_1));
    length = line.encodeEvents("01jtest0000000000000000003", bodies, seqs, 0, bodies.length, 10);
    assertEquals(1, line.eventsInLine(), "a line ends after the event that brings it to the bound");
    assertEquals(combined(alone.subList(0, 1)), new String(line.array(), 0, length, StandardCharsets.ISO_8859_1));
  }

  @Test
  void answerWhoseEventsShareLinesIsRecoveredWithEveryEventInOrder() throws Exception {
    String id = "01jtest0000000000000000004";
    List<String> e = new ArrayList<>();
    String[] texts = {"Hello", " wor", "ld", "!"};
    e.add(new String(LegacyJournalLine.of("e", id, new JsonObject().put("type", "block.start").put("index", 0).put("kind", "text")
        .put("seq", 0)), StandardCharsets.ISO_8859_1));
    for (int i = 0; i < texts.length; i++) {
      e.add(new String(LegacyJournalLine.of("e", id, new JsonObject().put("type", "block.delta").put("index", 0).put("text", texts[i])
          .put("seq", i + 1)), StandardCharsets.ISO_8859_1));
    }
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(LegacyJournalLine.of("s", id, new JsonObject().put("client_id", "c-1").put("format", "openai").put("model", "gpt-test")
        .put("created", 1_700_000_000L).put("stream", true)));
    file.write(combined(e.subList(0, 3)).getBytes(StandardCharsets.ISO_8859_1));
    file.write(e.get(3).getBytes(StandardCharsets.ISO_8859_1));
    file.write(combined(e.subList(4, 5)).getBytes(StandardCharsets.ISO_8859_1));
    Files.createDirectories(dir);
    Files.write(dir.resolve(InflightJournal.PREFIX + UUID.randomUUID() + InflightJournal.SUFFIX), file.toByteArray());

    try (JournalRecovery recovery = JournalRecovery.scan(dir, Instant.now())) {
      assertEquals(0, recovery.skipped(), recovery.summary());
      assertEquals("Hello world!", recovery.interrupted().get(0).response().text());
      assertEquals(List.of(0, 1, 2, 3, 4, 5), recovery.interrupted().get(0).response().events().toJson().stream()
          .map(event -> ((JsonObject) event).getInteger("seq")).toList(), "every event, in order, then the interruption's error");
      assertEquals(true, recovery.summary().contains(" 6 records"), recovery.summary());
    }
  }

  /**
   * The file's lines with each {@code es} line (the events of one answer the writer took in one round) given back as
   * the {@code e} lines of {@code expected} it stands for, when it holds exactly their bodies, in order, byte for byte;
   * any other line is left as it is (and fails the comparison).
   */
  private static List<String> eachEventAlone(List<String> written, List<String> expected) {
    List<String> out = new ArrayList<>();
    int next = 0;
    for (String line : written) {
      int matched = 0;
      if (line.startsWith("{\"k\":\"es\"", 9)) {
        for (int k = 2; next + k <= expected.size() && matched == 0; k++) {
          if (line.equals(combined(expected.subList(next, next + k)))) {
            matched = k;
          }
        }
      }
      if (matched > 0) {
        out.addAll(expected.subList(next, next + matched));
        next += matched;
      } else {
        out.add(line);
        next++;
      }
    }
    return out;
  }

  /** The {@code es} line of the events whose {@code e} lines are {@code lines} (of one answer, in order). */
  private static String combined(List<String> lines) {
    StringBuilder json = new StringBuilder();
    for (String line : lines) {
      String e = line.substring(9, line.length() - 1);
      int body = e.indexOf(",\"b\":");
      if (json.isEmpty()) {
        json.append(e, 0, body).replace(0, "{\"k\":\"e\"".length(), "{\"k\":\"es\"").append(",\"b\":{\"events\":[");
      } else {
        json.append(',');
      }
      json.append(e, body + 5, e.length() - 1);
    }
    json.append("]}}");
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(json.toString().getBytes(StandardCharsets.ISO_8859_1));
    return String.format("%08x", crc.getValue()) + " " + json + "\n";
  }

  /** The file's lines, newline included, each byte as one char. */
  private static List<String> lines(byte[] file) {
    List<String> lines = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < file.length; i++) {
      if (file[i] == '\n') {
        lines.add(new String(file, from, i + 1 - from, StandardCharsets.ISO_8859_1));
        from = i + 1;
      }
    }
    return lines;
  }

  private Path onlyFile() throws Exception {
    return onlyFile(dir);
  }

  private static Path onlyFile(Path in) throws Exception {
    try (Stream<Path> s = Files.list(in)) {
      List<Path> files = s.filter(p -> p.getFileName().toString().startsWith(InflightJournal.PREFIX)).toList();
      assertEquals(1, files.size(), files.toString());
      return files.get(0);
    }
  }
}
