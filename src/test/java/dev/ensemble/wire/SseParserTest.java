package dev.ensemble.wire;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SseParserTest {

  private static final String STREAM = ": comment\n"
      + "event: message_start\r\ndata: {\"a\":\"é😀\"}\r\n\r\n"
      + "data: line one\ndata: line two\nid: 7\n\n"
      + "event: ping\rdata: {}\r\r"
      + "data: [DONE]\n\n";

  private static final List<SseEvent> EXPECTED = List.of(
      new SseEvent("message_start", "{\"a\":\"é😀\"}", null),
      new SseEvent(null, "line one\nline two", "7"),
      new SseEvent("ping", "{}", "7"),
      new SseEvent(null, "[DONE]", "7"));

  @Test
  void parsesEventsWhateverTheChunking() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int split = 0; split <= bytes.length; split++) {
      SseParser parser = new SseParser();
      List<SseEvent> events = new ArrayList<>(parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, split))));
      events.addAll(parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, split, bytes.length))));
      events.addAll(parser.finish());
      assertEquals(EXPECTED, events, "split at " + split);
    }
  }

  @Test
  void parsesByteByByte() {
    SseParser parser = new SseParser();
    List<SseEvent> events = new ArrayList<>();
    for (byte b : STREAM.getBytes(StandardCharsets.UTF_8)) {
      events.addAll(parser.feed(Buffer.buffer(new byte[] {b})));
    }
    assertEquals(EXPECTED, events);
  }

  @Test
  void finishDeliversALastEventWithoutBlankLine() {
    SseParser parser = new SseParser();
    assertEquals(List.of(), parser.feed(Buffer.buffer("data: tail")));
    assertEquals(List.of(new SseEvent(null, "tail", null)), parser.finish());
  }

  /** The byte-level API decoders use: every event's data, whatever two boundaries cut the stream into three chunks. */
  @Test
  void handsEachEventsDataAsBytesWhereverTwoBoundariesCutTheStream() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int a = 0; a <= bytes.length; a++) {
      for (int b = a; b <= bytes.length; b++) {
        SseParser parser = new SseParser();
        List<String> seen = new ArrayList<>();
        SseParser.Events events = (name, data, offset, length) ->
            seen.add(name + "|" + new String(data, offset, length, StandardCharsets.UTF_8));
        parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, 0, a)), events);
        parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, a, b)), events);
        parser.feed(Buffer.buffer(java.util.Arrays.copyOfRange(bytes, b, bytes.length)), events);
        parser.finish(events);
        assertEquals(List.of("message_start|{\"a\":\"é😀\"}", "null|line one\nline two", "ping|{}", "null|[DONE]"), seen,
            "cut at " + a + " and " + b);
      }
    }
  }
}
