package dev.ensemble.persistence;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.RandomAnswers;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.anthropic.AnthropicClientDialect;
import dev.ensemble.wire.gemini.GeminiClientDialect;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import dev.ensemble.wire.responses.ResponsesClientDialect;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stored record written in one pass: the body as the bytes the client was sent, the events from the objects the
 * request path kept, and otherwise exactly the stored form every reader knows (the record's tree, encoded).
 */
class RecordJsonTest {

  private static final String ID = "01kbqz3x5m0000000000000000";
  private static final String TEXT = "Grüße, 世界 🌍 \"quoted\"\nnext line";

  /** Every kind of event a stream keeps, and the JSON of a cancel the gateway made itself. */
  private static List<Object> keptEvents() {
    return List.of(
        new StreamEvent.ResponseStart(ID, "gpt-test", "oai", "oai-1", new Usage(10L, null, null, null)),
        StreamEvent.BlockStart.text(0),
        new StreamEvent.BlockDelta(0, TEXT, null, null),
        new StreamEvent.BlockDelta(0, null, null, "sig"),
        new StreamEvent.BlockStop(0),
        StreamEvent.BlockStart.toolUse(1, "call_1", "lookup"),
        new StreamEvent.BlockDelta(1, null, "{\"q\":", null),
        new StreamEvent.BlockStop(1),
        new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(10L, 5L, 2L, null, 1L), 0.00015),
        new StreamEvent.Error(GatewayError.of(ErrorType.UPSTREAM_ERROR, "cut")),
        new JsonObject().put("type", "error").put("error", new JsonObject().put("status", 499).put("type", "cancelled")));
  }

  private static ResponseRecord record(AnswerBody body, RecordEvents events) {
    return new ResponseRecord(ID, ResponseRecord.Status.FAILED, "openai", "gpt-test", "oai", "oai-1", Instant.parse("2026-12-05T11:59:59Z"),
        Instant.parse("2026-12-05T12:00:00Z"), TEXT, "end_turn", new Usage(10L, 5L, null, null, 1L), new BigDecimal("0.00015"), true,
        body, events, new JsonObject().put("status", 503).put("type", "interrupted").put("reason", "interrupted"), "client-1",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")),
        new JsonArray().add(new JsonObject().put("id", "item_1")), new JsonObject().put("upstream_id", "resp_1"));
  }

  @Test
  void aRecordIsWrittenAsTheStoredFormItsReadersKnow() {
    // (Vert.x's toBuffer writes a character beyond the BMP as a \\u escape pair; the body keeps whatever it was sent as)
    JsonObject body = new JsonObject().put("id", "chatcmpl-1").put("choices", new JsonArray().add(new JsonObject().put("text", "Grüße, 世界")))
        .put("usage", new JsonObject().put("prompt_tokens", 10).put("cost", 1.5E-4));
    ResponseRecord fromRequestPath = record(AnswerBody.of(body.toBuffer()), RecordEvents.of(keptEvents()));

    byte[] written = new RecordJson().json(fromRequestPath);

    assertArrayEquals(fromRequestPath.toJson().encode().getBytes(StandardCharsets.UTF_8), written,
        "the same bytes as the record's tree encoded: " + new String(written, StandardCharsets.UTF_8));
    ResponseRecord readBack = ResponseRecord.fromJson(new JsonObject(Buffer.buffer(written)));
    assertEquals(fromRequestPath.toJson(), readBack.toJson());
    assertEquals(body, readBack.body().json());
  }

  @Test
  void theBodyIsStoredAsTheBytesTheClientWasSent() {
    String sent = "{\n  \"id\" : \"msg_1\",\n  \"amount\" : 1.50,\n  \"text\" : \"caf\\u00e9\"\n}";
    ResponseRecord record = record(AnswerBody.of(Buffer.buffer(sent)), RecordEvents.of(keptEvents()));

    String written = new String(new RecordJson().json(record), StandardCharsets.UTF_8);

    assertTrue(written.contains(",\"body\":" + sent + ","), written);
    assertEquals(new JsonObject(sent), ResponseRecord.fromJson(new JsonObject(written)).body().json());
  }

  @Test
  void aStreamedAnswersBodyIsRenderedWhenTheStoreWritesIt() {
    AtomicInteger renders = new AtomicInteger();
    AnswerBody later = AnswerBody.later(g -> {
      renders.incrementAndGet();
      g.writeStartObject();
      g.writeStringField("content", TEXT);
      g.writeEndObject();
    });
    ResponseRecord record = record(later, RecordEvents.of(keptEvents()));
    assertEquals(0, renders.get(), "nothing rendered while the record is made");

    String line = new String(new RecordJson().line(record), StandardCharsets.UTF_8);

    assertEquals(1, renders.get());
    JsonObject stored = SegmentLine.parse(line.getBytes(StandardCharsets.UTF_8));
    assertNotNull(stored, "a line with a matching checksum: " + line);
    assertEquals(TEXT, stored.getJsonObject("body").getString("content"));
    assertEquals(record.events().toJson(), stored.getJsonArray("events"));
    assertEquals(11, stored.getJsonArray("events").size());
    assertEquals(10, stored.getJsonArray("events").getJsonObject(10).getInteger("seq"));
    assertEquals(TEXT, record.publicJson().getJsonObject("body").getString("content"), "a reader gets it too");
    record.publicJson();
    assertEquals(2, renders.get(), "rendered into the record without being kept; a reader's rendering is kept");
  }

  /**
   * A streamed answer's body, written by its client format straight into the record (no tree), makes the same record as
   * the bytes of the format's tree did (escaped surrogate pairs in the body, as Vert.x encodes it, while the record's own
   * strings keep them as UTF-8), for random answers in every format.
   */
  @Test
  void aStreamedAnswersBodyWrittenIntoTheRecordIsTheBytesOfItsTree() {
    List<ClientDialect> dialects = List.of(new OpenAiClientDialect(), new AnthropicClientDialect(), new ResponsesClientDialect(),
        new GeminiClientDialect());
    RecordJson json = new RecordJson();
    for (ClientDialect dialect : dialects) {
      for (int seed = 0; seed < 500; seed++) {
        RandomAnswers random = new RandomAnswers(seed);
        UnifiedResponse answer = random.answer();
        ResponseContext context = random.context(dialect.name(), answer);
        Buffer tree = dialect.encodeResponse(answer, context).toBuffer();
        AnswerBody written = AnswerBody.later(g -> dialect.writeResponse(answer, context, g));

        String what = dialect.name() + ", seed " + seed;
        assertArrayEquals(json.line(record(AnswerBody.of(tree), RecordEvents.of(keptEvents()))),
            json.line(record(written, RecordEvents.of(keptEvents()))), what);
        assertEquals(tree, AnswerBody.later(g -> dialect.writeResponse(answer, context, g)).bytes(), what + ", rendered on its own");
      }
    }
  }

  /**
   * Events of every shape, at block indexes and seqs below and beyond those whose constant runs are written in one
   * copy ({@link EventHeads}), are written as the bytes of their trees.
   */
  @Test
  void eventsOfEveryShapeAndNumberAreWrittenAsTheirTrees() {
    RandomAnswers random = new RandomAnswers(14);
    java.util.Random pick = new java.util.Random(14);
    List<Object> events = new java.util.ArrayList<>();
    for (int i = 0; i < EventHeads.SEQS + 300; i++) {
      int index = pick.nextInt(4) == 0 ? EventHeads.INDEXES - 2 + pick.nextInt(4) : pick.nextInt(EventHeads.INDEXES + 10);
      events.add(switch (pick.nextInt(12)) {
        case 0 -> new StreamEvent.BlockStop(index);
        case 1 -> StreamEvent.BlockStart.text(index);
        case 2 -> StreamEvent.BlockStart.thinking(index);
        case 3 -> StreamEvent.BlockStart.toolUse(index, "call_" + text(random), text(random));
        case 4 -> new StreamEvent.BlockDelta(index, null, null, null);
        case 5 -> new StreamEvent.BlockDelta(index, pick.nextBoolean() ? text(random) : null, pick.nextBoolean() ? "{\"q\":" : null,
            pick.nextBoolean() ? "sig" : null);
        case 6 -> new StreamEvent.ResponseStart("r", text(random), "p", pick.nextBoolean() ? null : "e", Usage.UNKNOWN);
        case 7 -> new StreamEvent.ResponseEnd(pick.nextBoolean() ? StopReason.END_TURN : null, null, random.usage(),
            pick.nextBoolean() ? null : 0.0015);
        default -> StreamEvent.BlockDelta.text(index, text(random));
      });
    }
    events.set(pick.nextInt(events.size()), new StreamEvent.BlockDelta(-1, "a negative index", null, null));
    ResponseRecord record = record(AnswerBody.of(new JsonObject().put("id", "x")), RecordEvents.of(events));

    byte[] written = new RecordJson().json(record);

    assertArrayEquals(record.toJson().encode().getBytes(StandardCharsets.UTF_8), written);
  }

  /**
   * Random text without the lone surrogate halves {@link RandomAnswers} also makes (the oracle, the tree encoded to a
   * {@code String} and then to UTF-8, cannot carry one; pairs stay).
   */
  private static String text(RandomAnswers random) {
    return random.text().replace("\uD83D", "").replace("\uDE00", "");
  }

  @Test
  void aRecordReadBackIsWrittenAgainUnchanged() {
    ResponseRecord original = record(AnswerBody.of(new JsonObject().put("id", "x").toBuffer()), RecordEvents.of(keptEvents()));
    ResponseRecord readBack = ResponseRecord.fromJson(new JsonObject(Buffer.buffer(new RecordJson().json(original))));

    assertArrayEquals(new RecordJson().json(original), new RecordJson().json(readBack));
  }
}
