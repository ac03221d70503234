package dev.ensemble.ingress;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.Message;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.RecordJson;
import dev.ensemble.persistence.ResponseRecord;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The record a journal hands to the store: a non-streamed answer's body rendered once and kept as the very Buffer the
 * client is sent; a streamed one's left for the store's writer; the events kept as they came, numbered.
 */
@ExtendWith(VertxExtension.class)
class ResponseJournalTest {

  private static final String ID = "01kbqz3x5m0000000000000000";
  private static final ResponseContext CONTEXT = new ResponseContext(ID, "gpt-test", 1_764_930_000L);
  private static final UnifiedResponse ANSWER = new UnifiedResponse(ID, "gpt-test", List.of(ContentBlock.Text.of("Hello, world.")),
      StopReason.END_TURN, null, new Usage(12L, 4L, null, null));

  /** The OpenAI dialect, counting how often it renders an answer's body. */
  private static final class Counting implements ClientDialect {
    final ClientDialect openAi = new OpenAiClientDialect();
    final AtomicInteger renders = new AtomicInteger();

    public String name() { return openAi.name(); }
    public List<String> chatPaths() { return openAi.chatPaths(); }
    public boolean owns(String path) { return openAi.owns(path); }
    public UnifiedRequest decodeRequest(JsonObject body) { return openAi.decodeRequest(body); }
    public StreamEncoder newStreamEncoder(UnifiedRequest request, ResponseContext context) { return openAi.newStreamEncoder(request, context); }
    public JsonObject encodeError(GatewayError error) { return openAi.encodeError(error); }

    public JsonObject encodeResponse(UnifiedResponse response, ResponseContext context) {
      renders.incrementAndGet();
      return openAi.encodeResponse(response, context);
    }
  }

  private static ClientCall call(boolean stream) {
    return ClientCall.of(UnifiedRequest.builder("gpt-test").message(Message.user("hi")).stream(stream).build());
  }

  private static ResponseJournal answered(Vertx vertx, ClientDialect dialect) {
    ResponseJournal journal = new ResponseJournal(vertx.getOrCreateContext(), CONTEXT, dialect, "client-1");
    StreamAccumulator.eventsOf(ANSWER).forEach(journal::add);
    return journal;
  }

  @Test
  void aNonStreamedAnswerIsRenderedOnceAndItsRecordKeepsTheBytesTheClientIsSent(Vertx vertx) {
    Counting dialect = new Counting();
    ResponseJournal journal = answered(vertx, dialect);

    ResponseRecord record = journal.record(dialect, call(false), "oai", "oai-1", BigDecimal.ONE);
    Buffer sent = journal.renderedAnswer();

    assertSame(sent, record.bodyBytes(), "the record's body is the Buffer the client is sent");
    assertSame(sent, journal.renderedAnswer());
    new RecordJson().line(record);
    assertEquals(1, dialect.renders.get(), "rendered once, for the client and the store");
    assertEquals(dialect.openAi.encodeResponse(ANSWER, CONTEXT).toBuffer(), sent);
  }

  @Test
  void aStreamedAnswersBodyIsRenderedByTheStoreNotWhenItsRecordIsMade(Vertx vertx) {
    Counting dialect = new Counting();
    ResponseJournal journal = answered(vertx, dialect);

    ResponseRecord record = journal.record(dialect, call(true), "oai", "oai-1", BigDecimal.ONE);
    assertEquals(0, dialect.renders.get(), "nothing rendered on the event loop to persist");

    JsonObject stored = new JsonObject(Buffer.buffer(new String(new RecordJson().json(record), StandardCharsets.UTF_8)));
    assertEquals(1, dialect.renders.get());
    assertEquals("Hello, world.", stored.getJsonObject("body").getJsonArray("choices").getJsonObject(0).getJsonObject("message")
        .getString("content"));
    List<StreamEvent> events = StreamAccumulator.eventsOf(ANSWER);
    assertEquals(events.size(), stored.getJsonArray("events").size());
    for (int seq = 0; seq < events.size(); seq++) {
      assertEquals(events.get(seq).toJson().put("seq", seq), stored.getJsonArray("events").getJsonObject(seq));
    }
  }

  @Test
  void anAnswerCancelledByItsClientHasNoBodyToSendAndIsStoredFailed(Vertx vertx) {
    Counting dialect = new Counting();
    ResponseJournal journal = new ResponseJournal(vertx.getOrCreateContext(), CONTEXT, dialect, "client-1");
    List<StreamEvent> events = StreamAccumulator.eventsOf(ANSWER);
    events.subList(0, 3).forEach(journal::add);
    journal.cancelledByClient("gone", new Usage(12L, 1L, null, null));

    ResponseRecord record = journal.record(dialect, call(true), "oai", "oai-1", BigDecimal.ONE);

    assertNull(journal.renderedAnswer());
    assertEquals(ResponseRecord.Status.FAILED, record.status());
    JsonObject stored = new JsonObject(Buffer.buffer(new RecordJson().json(record)));
    assertEquals("error", stored.getJsonArray("events").getJsonObject(3).getString("type"));
    assertEquals(3, stored.getJsonArray("events").getJsonObject(3).getInteger("seq"));
    assertEquals(record.toJson(), stored);
  }

  /**
   * The crash journal gets the deltas of one block that came in one upstream read as one merged record (numbered by the
   * last of them), not one record per chunk; followers and the stored record still see every event with its own seq.
   */
  @Test
  @SuppressWarnings("unchecked")
  void theCrashJournalGetsTheDeltasOfOneReadAsOneRecord(Vertx vertx) throws Exception {
    java.nio.file.Path dir = java.nio.file.Path.of(dev.ensemble.testing.gateway.GatewayExtension.scratchDir("journal-merge"));
    dev.ensemble.persistence.InflightJournal crash = new dev.ensemble.persistence.InflightJournal(dir, 1000, 1 << 20);
    crash.open();
    ResponseJournal journal = new ResponseJournal(vertx.getOrCreateContext(), CONTEXT, new OpenAiClientDialect(), "client-1", crash);
    journal.add(new StreamEvent.ResponseStart(ID, "gpt-test", "oai", "oai-1", Usage.UNKNOWN));
    journal.add(StreamEvent.BlockStart.text(0));
    journal.add(StreamEvent.BlockDelta.text(0, "Hel"));
    journal.add(StreamEvent.BlockDelta.text(0, "lo"));
    journal.endOfRead();
    journal.add(StreamEvent.BlockDelta.text(0, " wor"));
    journal.add(StreamEvent.BlockDelta.text(0, "ld"));
    journal.endOfRead();
    journal.add(new StreamEvent.BlockStop(0));
    journal.add(StreamEvent.BlockStart.toolUse(1, "call_1", "f"));
    journal.add(StreamEvent.BlockDelta.partialJson(1, "{\"a\""));
    journal.add(StreamEvent.BlockDelta.partialJson(1, ":1}"));
    journal.add(new StreamEvent.BlockStop(1));
    journal.add(new StreamEvent.ResponseEnd(StopReason.TOOL_USE, null, new Usage(12L, 4L, null, null), null));
    crash.close();

    List<String> lines = new java.util.ArrayList<>();
    try (var files = java.nio.file.Files.list(dir)) {
      for (java.nio.file.Path file : files.toList()) {
        for (String line : java.nio.file.Files.readAllLines(file, StandardCharsets.UTF_8)) {
          JsonObject json = new JsonObject(line.substring(line.indexOf('{')));
          // an event record is an e line, or one of the events of an es line (the writer's round of one answer)
          List<Object> events = "e".equals(json.getString("k")) ? List.of(json.getJsonObject("b"))
              : "es".equals(json.getString("k")) ? json.getJsonObject("b").getJsonArray("events").getList() : List.of();
          for (Object event : events) {
            JsonObject b = event instanceof JsonObject o ? o : new JsonObject((java.util.Map<String, Object>) event);
            lines.add(b.getInteger("seq") + " " + b.getString("type") + (b.containsKey("text") ? " " + b.getString("text") : "")
                + (b.containsKey("partial_json") ? " " + b.getString("partial_json") : ""));
          }
        }
      }
    }
    assertEquals(List.of("0 response.start", "1 block.start", "3 block.delta Hello", "5 block.delta  world", "6 block.stop",
        "7 block.start", "9 block.delta {\"a\":1}", "10 block.stop", "11 response.end"), lines);
    ResponseRecord record = journal.record(new OpenAiClientDialect(), call(true), "oai", "oai-1", BigDecimal.ONE);
    assertEquals(12, record.events().size(), "the record keeps every event");
  }
}
