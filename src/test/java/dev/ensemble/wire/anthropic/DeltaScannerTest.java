package dev.ensemble.wire.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.testing.JsonCorruptions;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link DeltaScanner} reads a {@code content_block_delta} exactly as the tree path does, or leaves it to the tree
 * path: for every event below — usual, odd, invalid, and thousands of random corruptions of real ones — a decoder that
 * scans and one that reads every event as a tree give the same unified events (or the same stream error).
 */
class DeltaScannerTest {

  /** message_start, then blocks 0 text, 1 thinking, 2 tool_use, 3 a server tool block (skipped). */
  private static final String PREFIX = ""
      + "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
      + "\"model\":\"claude-x\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\","
      + "\"name\":\"get_weather\",\"input\":{}}}\n\n"
      + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"server_tool_use\",\"id\":\"srv_1\","
      + "\"name\":\"web_search\",\"input\":{}}}\n\n";

  private static final String TEXT = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}";
  private static final String THINKING = "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hmm \\\"x\\\"\"}}";
  private static final String SIGNATURE = "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQBCg==\"}}";
  private static final String PARTIAL = "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\","
      + "\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}";
  private static final String EMPTY_PARTIAL = "{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}";
  private static final String SKIPPED = "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}";

  private static final List<String> EVENTS = List.of(
      TEXT, THINKING, SIGNATURE, PARTIAL, EMPTY_PARTIAL, SKIPPED,
      text("\"line\\none\\ttab \\\"quoted\\\" back\\\\slash \\/ \\b\\f\\r\""),
      text("\"\\u00e9\\u00E9 \\ud83d\\udc4b \\u0000 lone \\ud800 end\""),
      text("\"héllo wörld 👋 日本語\""), text("\"\""),
      text("null"), text("true"), text("12"), text("{\"a\":1}"), text("[\"a\"]"),
      text("\"raw\ttab\""), text("\"bad \\x escape\""), text("\"short \\u12\""), text("\"unterminated"),
      "  " + TEXT + " \r\n\t", TEXT + " x", TEXT + TEXT, TEXT.replace("}}", "},}"), TEXT.replace(",\"index\"", "\"index\""),
      TEXT.replace("\"index\":", "\"index\" :  "), "{}", "[]", "[1]", "\"text\"", "", "   ", "{\"type\":\"content_block_delta\"",
      TEXT.replace("\"index\":0", "\"index\":-1"), TEXT.replace("\"index\":0", "\"index\":0.0"),
      TEXT.replace("\"index\":0", "\"index\":1e0"), TEXT.replace("\"index\":0", "\"index\":00"),
      TEXT.replace("\"index\":0", "\"index\":\"0\""), TEXT.replace("\"index\":0", "\"index\":null"),
      TEXT.replace("\"index\":0", "\"index\":7"), TEXT.replace("\"index\":0", "\"index\":12345678901"),
      TEXT.replace("\"index\":0,", ""), TEXT.replace("\"type\":\"content_block_delta\",", ""),
      TEXT.replace("\"content_block_delta\"", "\"content_block_stop\""),
      TEXT.replace("\"content_block_delta\"", "\"content_block\\u005fdelta\""),
      TEXT.replace("\"content_block_delta\"", "7"),
      TEXT.replace("\"index\":0", "\"index\":0,\"index\":1"),
      TEXT.replace("\"text_delta\",", "\"text_delta\",\"type\":\"text_delta\","),
      TEXT.replace("\"text\":\"Hello\"", "\"text\":\"a\",\"text\":\"b\""),
      TEXT.replace("\"text_delta\"", "\"thinking_delta\""), TEXT.replace("\"text_delta\"", "\"citations_delta\""),
      TEXT.replace("\"text_delta\"", "\"signature_delta\""), TEXT.replace("\"text_delta\"", "null"),
      TEXT.replace("\"type\":\"text_delta\",", ""), TEXT.replace("\"delta\":{", "\"delta\":7,\"x\":{"),
      TEXT.replace("\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}", "\"delta\":null"),
      TEXT.replace("\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}", "\"delta\":{}"),
      TEXT.replace("\"text\":\"Hello\"", "\"text\":\"Hello\",\"citations\":[{\"a\":[1,2.5,-3e-2,true,false,null]}]"),
      TEXT.replace("{\"type\":\"content", "{\"extra\":{\"deep\":[[],{}]},\"type\":\"content"),
      TEXT.replace("\"text\":\"Hello\"", "\"te\\u0078t\":\"Hello\""),
      TEXT.replace("\"index\"", "\"ind\\u0065x\""),
      THINKING.replace("\"thinking\":\"Hmm \\\"x\\\"\"", "\"thinking\":\"a\",\"text\":\"b\""),
      TEXT.replace("null", "nul"), TEXT.replace("\"Hello\"", "\"Hello\" "));

  @Test
  void everyDeltaIsReadAsTheTreeReadsIt() {
    for (String event : EVENTS) {
      assertSameReading(event.getBytes(StandardCharsets.UTF_8), "event " + event);
    }
  }

  @Test
  void invalidUtf8IsLeftToTheTree() {
    int[][] sequences = {{0xC0, 0x80}, {0xC1, 0xBF}, {0x80}, {0xBF}, {0xE0, 0x80, 0x80}, {0xE0, 0xA0}, {0xED, 0xA0, 0x80},
        {0xF0, 0x80, 0x80, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xFF}, {0xC3}, {0xE2, 0x82},
        {0xF0, 0x9F, 0x91}, {0xC3, 0xA9}, {0xE2, 0x82, 0xAC}, {0xF0, 0x9F, 0x91, 0x8B}, {0xEF, 0xBF, 0xBF}};
    for (int[] sequence : sequences) {
      String[] parts = TEXT.replace("\"Hello\"", "\"He#llo\"").split("#");
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(parts[0].getBytes(StandardCharsets.UTF_8));
      for (int b : sequence) {
        out.write(b);
      }
      out.writeBytes(parts[1].getBytes(StandardCharsets.UTF_8));
      assertSameReading(out.toByteArray(), "bytes " + java.util.Arrays.toString(sequence));
    }
  }

  @Test
  void randomCorruptionsOfRealDeltasAreReadAsTheTreeReadsThem() {
    JsonCorruptions.each(List.of(TEXT, THINKING, SIGNATURE, PARTIAL, EMPTY_PARTIAL, SKIPPED, text("\"a\\nb \\u00e9 ü\"")), 5_000, (bytes, what) -> assertSameReading(bytes, what));
  }

  @Test
  void readsTheUsualDeltasItselfAndLeavesTheRestToTheTree() {
    for (String usual : List.of(TEXT, THINKING, SIGNATURE, PARTIAL, EMPTY_PARTIAL, SKIPPED, text("\"é \\n 👋\""), "  " + TEXT + "\n")) {
      assertTrue(scans(usual), usual);
    }
    for (String other : List.of(text("7"), TEXT + "x", TEXT.replace("\"text_delta\"", "\"citations_delta\""),
        TEXT.replace("\"content_block_delta\"", "\"content_block_stop\""), TEXT.replace("\"index\"", "\"ind\\u0065x\""),
        TEXT.replace("\"index\":0", "\"index\":0,\"index\":1"), "{\"type\":\"message_stop\"}")) {
      assertFalse(scans(other), other);
    }
  }

  @Test
  void anEventEndsWhereItsDataEndsWhateverBytesFollowInTheArray() {
    byte[] data = TEXT.getBytes(StandardCharsets.UTF_8);
    DeltaScanner scanner = new DeltaScanner();
    AnthropicStreamDecoder.Delta delta = new AnthropicStreamDecoder.Delta();
    delta.clear();
    assertFalse(scanner.read(data, 0, data.length - 1, delta), "the closing brace lies past the data");
    delta.clear();
    assertTrue(scanner.read(data, 0, data.length, delta));
    assertEquals("Hello", delta.value);
    assertEquals("text_delta", delta.type);
  }

  private static boolean scans(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    AnthropicStreamDecoder.Delta delta = new AnthropicStreamDecoder.Delta();
    delta.clear();
    return new DeltaScanner().read(bytes, 0, bytes.length, delta);
  }

  /** The event with its SSE name and without one, read both ways. */
  private static void assertSameReading(byte[] event, String what) {
    byte[] prefix = PREFIX.getBytes(StandardCharsets.UTF_8);
    byte[] named = concat(prefix, "event: content_block_delta\ndata: ".getBytes(StandardCharsets.UTF_8), event, "\n\n".getBytes(StandardCharsets.UTF_8));
    byte[] unnamed = concat(prefix, "data: ".getBytes(StandardCharsets.UTF_8), event, "\n\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(read(false, named), read(true, named), what + " (named)");
    assertEquals(read(false, unnamed), read(true, unnamed), what + " (unnamed)");
  }

  /** The unified events of the stream, or those and then the stream's error. */
  private static String read(boolean scan, byte[] stream) {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder(scan);
    List<StreamEvent> events = new ArrayList<>();
    try {
      events.addAll(decoder.feed(Buffer.buffer(stream)));
      events.addAll(decoder.finish());
    } catch (RuntimeException e) {
      return events + " then " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return events.toString();
  }

  private static String text(String value) {
    return "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + value + "}}";
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }


}
