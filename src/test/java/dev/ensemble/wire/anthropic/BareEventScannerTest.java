package dev.ensemble.wire.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.testing.JsonCorruptions;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link BareEventScanner} reads {@code content_block_stop}, {@code ping} and {@code message_stop} exactly as the
 * tree path does, or leaves them to it: for usual, odd and invalid events and thousands of random corruptions of real
 * ones, a decoder that scans and one that reads every event as a tree give the same unified events (or the same error).
 */
class BareEventScannerTest {

  private static final String START = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
      + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,"
      + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"server_tool_use\","
      + "\"id\":\"srv_1\",\"name\":\"web_search\",\"input\":{}}}\n\n"
      + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n";
  private static final String END = "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
      + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":3}}\n\n";

  private static final String STOP = "{\"type\":\"content_block_stop\",\"index\":0}";
  private static final String SKIPPED_STOP = "{\"type\":\"content_block_stop\",\"index\":1}";
  private static final String PING = "{\"type\": \"ping\"}";
  private static final String MESSAGE_STOP = "{\"type\":\"message_stop\"}";

  @Test
  void readsTheUsualEventsItselfAndLeavesTheRestToTheTree() {
    BareEventScanner scanner = new BareEventScanner();
    assertTrue(read(scanner, STOP, BareEventScanner.CONTENT_BLOCK_STOP));
    assertEquals(0, scanner.index);
    assertTrue(read(scanner, "{\"index\":7,\"type\":\"content_block_stop\",\"extra\":[1,{\"a\":null}]}", BareEventScanner.CONTENT_BLOCK_STOP));
    assertEquals(7, scanner.index);
    assertTrue(read(scanner, PING, BareEventScanner.PING));
    assertTrue(read(scanner, " " + MESSAGE_STOP + "\n", BareEventScanner.MESSAGE_STOP));
    for (String other : List.of(STOP.replace("0}", "-1}"), STOP.replace("0}", "1.0}"), STOP.replace("0}", "\"0\"}"),
        STOP.replace("\"index\"", "\"ind\\u0065x\""), STOP.replace("0}", "0,\"index\":1}"), STOP + "x", "[]",
        STOP.replace("content_block_stop", "content_block_start"))) {
      assertFalse(read(scanner, other, BareEventScanner.CONTENT_BLOCK_STOP), other);
    }
  }

  @Test
  void theUsualEventsAndOddOnesAreReadAsTheTreeReadsThem() {
    for (String[] event : new String[][] {{"content_block_stop", STOP}, {"content_block_stop", SKIPPED_STOP}, {"ping", PING},
        {"message_stop", MESSAGE_STOP}, {"content_block_stop", "{\"type\":\"content_block_stop\",\"index\":5}"},
        {"content_block_stop", "{\"type\":\"content_block_stop\"}"}, {"message_stop", "{\"type\":\"other\"}"},
        {"ping", "{}"}, {"content_block_stop", "{\"index\":0,\"type\":\"content_block_stop\",\"index\":1}"}}) {
      assertSameReading(event[0], event[1].getBytes(StandardCharsets.UTF_8), event[1]);
    }
  }

  @Test
  void randomCorruptionsOfRealEventsAreReadAsTheTreeReadsThem() {
    JsonCorruptions.each(List.of(STOP), 2_000, (bytes, what) -> assertSameReading("content_block_stop", bytes, what));
    JsonCorruptions.each(List.of(SKIPPED_STOP), 1_000, (bytes, what) -> assertSameReading("content_block_stop", bytes, what));
    JsonCorruptions.each(List.of(PING), 1_000, (bytes, what) -> assertSameReading("ping", bytes, what));
    JsonCorruptions.each(List.of(MESSAGE_STOP), 1_000, (bytes, what) -> assertSameReading("message_stop", bytes, what));
  }

  private static boolean read(BareEventScanner scanner, String json, byte[] type) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return scanner.read(bytes, 0, bytes.length, type);
  }

  /** The event, named, in a stream (before the message's end for a block's stop or a ping, as its end otherwise), read both ways. */
  private static void assertSameReading(String name, byte[] event, String what) {
    String data = new String(event, StandardCharsets.UTF_8);
    if (data.contains("\n") || data.contains("\r")) {
      return; // a line break makes other SSE lines, not a corrupted event
    }
    String framed = "event: " + name + "\ndata: " + data + "\n\n";
    String stream = name.equals("message_stop") ? START + END + framed : START + framed + END + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    assertEquals(read(false, bytes), read(true, bytes), what);
  }

  private static String read(boolean scan, byte[] stream) {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder(scan);
    List<StreamEvent> events = new ArrayList<>();
    try {
      events.addAll(decoder.feed(Buffer.buffer(stream)));
      events.addAll(decoder.finish());
    } catch (RuntimeException e) {
      return events + " then " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return events + " completed " + decoder.completed();
  }
}
