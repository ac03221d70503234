package dev.ensemble.wire.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.Usage;
import dev.ensemble.testing.JsonCorruptions;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code message_start}, {@code content_block_start} and {@code message_delta} are read by their scanners
 * ({@link MessageStartScanner}, {@link BlockStartScanner}, {@link MessageDeltaScanner}) exactly as the tree reading reads
 * them, or left to it: for usual, odd and invalid events and thousands of random corruptions of real ones, a decoder
 * that scans and one that reads every event as a tree give the same unified events, usage and error, and, passing the
 * stream through to an Anthropic client, the same bytes.
 */
class MessageEventScannersTest {

  private static final ResponseContext CTX = new ResponseContext("req_1", "my-alias", 1_700_000_000L);

  /** As the API sends it today: cache counts, the cache_creation breakdown, the service tier. */
  private static final String START = "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\","
      + "\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,"
      + "\"cache_creation_input_tokens\":3,\"cache_read_input_tokens\":40,\"cache_creation\":{\"ephemeral_5m_input_tokens\":3,"
      + "\"ephemeral_1h_input_tokens\":0},\"output_tokens\":1,\"service_tier\":\"standard\"}}}";
  private static final String TEXT_START = "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}";
  private static final String THINKING_START = "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\","
      + "\"thinking\":\"\",\"signature\":\"\"}}";
  private static final String TOOL_START = "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\","
      + "\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{}}}";
  private static final String SERVER_TOOL_START = "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
      + "\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[{\"type\":\"web_search_result\",\"title\":\"T\","
      + "\"url\":\"https://e.x\",\"encrypted_content\":\"Eq\",\"page_age\":null}]}}";
  private static final String DELTA = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
      + "\"usage\":{\"output_tokens\":15}}";
  /** Newer API versions: cumulative input and cache counts, server tool use. */
  private static final String FULL_DELTA = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"###\"},"
      + "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":3,\"cache_read_input_tokens\":40,\"output_tokens\":15,"
      + "\"server_tool_use\":{\"web_search_requests\":1}}}";

  private static final String TEXT_DELTA = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}";
  private static final String BLOCK_STOP = "{\"type\":\"content_block_stop\",\"index\":0}";
  private static final String MESSAGE_STOP = "{\"type\":\"message_stop\"}";

  @Test
  void theScannersReadTheUsualEventsThemselves() {
    MessageStartScanner start = new MessageStartScanner();
    assertTrue(read(start, START));
    assertEquals("msg_01", start.id);
    assertEquals("claude-sonnet-4-5", start.model);
    assertEquals(new Usage(12L, 1L, 40L, 3L), start.usage);
    assertEquals("\"msg_01\"", START.substring(start.idStart, start.idEnd));
    assertEquals("\"claude-sonnet-4-5\"", START.substring(start.modelStart, start.modelEnd));

    BlockStartScanner block = new BlockStartScanner();
    assertTrue(read(block, TOOL_START));
    assertEquals(0, block.index);
    assertEquals("tool_use", block.type);
    assertEquals("toolu_01", block.id);
    assertEquals("get_weather", block.name);
    assertTrue(read(block, THINKING_START));
    assertEquals("", block.thinking);
    assertEquals("", block.signature);
    assertTrue(read(block, SERVER_TOOL_START));
    assertEquals("web_search_tool_result", block.type);

    MessageDeltaScanner delta = new MessageDeltaScanner();
    assertTrue(read(delta, FULL_DELTA));
    assertEquals("stop_sequence", delta.stopReason);
    assertEquals("###", delta.stopSequence);
    assertEquals(new Usage(12L, 15L, 40L, 3L), delta.usage);

    // left to the tree: a tool call's input to re-encode, a count it does not read, an escaped name
    assertFalse(read(block, TOOL_START.replace("\"input\":{}", "\"input\":{\"city\":\"Paris\"}")));
    assertFalse(read(start, START.replace("\"input_tokens\":12", "\"input_tokens\":12.0")));
    assertFalse(read(delta, DELTA.replace("\"stop_reason\"", "\"stop_r\\u0065ason\"")));
  }

  @Test
  void usualOddAndInvalidEventsAreReadAsTheTreeReadsThem() {
    List<String> starts = List.of(START, START.replace(" ", ""), " " + START + " ",
        START.replace("\"usage\":{", "\"usage\":null,\"x\":{"), START.replace(",\"usage\":{", ",\"u\":{"),
        START.replace("\"input_tokens\":12", "\"input_tokens\":null"), START.replace("\"input_tokens\":12", "\"input_tokens\":\"12\""),
        START.replace("\"input_tokens\":12", "\"input_tokens\":-12"), START.replace("\"input_tokens\":12", "\"input_tokens\":1e1"),
        START.replace("\"input_tokens\":12", "\"input_tokens\":1234567890123"), START.replace("\"input_tokens\":12", "\"input_tokens\":012"),
        START.replace("\"output_tokens\":1,", "\"output_tokens\":1,\"output_tokens\":2,"),
        START.replace("\"usage\":{", "\"usage\":[1],\"z\":{"), START.replace("\"msg_01\"", "null"), START.replace("\"msg_01\"", "7"),
        START.replace("\"msg_01\"", "\"msg_\\u0041\\n\""), START.replace("\"claude-sonnet-4-5\"", "\"clåude 😀\""),
        START.replace("\"id\":\"msg_01\",", ""), START.replace("\"model\":\"claude-sonnet-4-5\",", ""),
        START.replace("\"id\":", "\"id\":\"a\",\"id\":"), START.replace("\"message_start\"", "\"other\""), START.replace("\"type\":\"message_start\",", ""),
        "{\"type\":\"message_start\",\"message\":null}", "{\"type\":\"message_start\",\"message\":[]}", "{\"type\":\"message_start\"}",
        "{\"message\":{\"id\":\"m\",\"model\":\"c\"},\"message\":{\"id\":\"m\",\"model\":\"c\"}}", "{\"message\":{\"id\":\"m\",\"model\":\"c\"}}",
        START + "x", START.substring(0, START.length() - 1), "[]", "", "null");
    for (String start : starts) {
      assertSameReading(stream(start, TEXT_START, DELTA), start);
    }
    List<String> blocks = List.of(TEXT_START, THINKING_START, TOOL_START, SERVER_TOOL_START,
        TEXT_START.replace("\"text\":\"\"", "\"text\":\"Hi \\\"there\\\"\",\"citations\":[]"), TEXT_START.replace("\"text\":\"\"", "\"text\":null"),
        TEXT_START.replace("\"text\":\"\"", "\"text\":5"), TEXT_START.replace(",\"text\":\"\"", ""),
        THINKING_START.replace("\"thinking\":\"\"", "\"thinking\":\"hmm\"").replace("\"signature\":\"\"", "\"signature\":\"Eq\""),
        THINKING_START.replace("\"signature\":\"\"", "\"signature\":[]"),
        TOOL_START.replace("\"input\":{}", "\"input\":{\"city\":\"Paris\"}"), TOOL_START.replace("\"input\":{}", "\"input\":null"),
        TOOL_START.replace("\"input\":{}", "\"input\":{ }"), TOOL_START.replace("\"input\":{}", "\"input\":[]"),
        TOOL_START.replace(",\"input\":{}", ""), TOOL_START.replace("\"id\":\"toolu_01\",", ""), TOOL_START.replace("\"toolu_01\"", "null"),
        TOOL_START.replace("\"name\":\"get_weather\",", ""), TOOL_START.replace("\"get_weather\"", "3"),
        TEXT_START.replace("\"type\":\"text\"", "\"type\":\"redacted_thinking\",\"data\":\"Em\""),
        TEXT_START.replace("\"type\":\"text\"", "\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"q\":1}"),
        TEXT_START.replace("\"type\":\"text\"", "\"type\":\"image\""), TEXT_START.replace("\"type\":\"text\",", ""),
        TEXT_START.replace("\"type\":\"text\"", "\"type\":null"), TEXT_START.replace("\"type\":\"text\"", "\"type\":1"),
        TEXT_START.replace("\"type\":\"text\"", "\"type\":\"text\",\"type\":\"text\""), TEXT_START.replace("\"index\":0,", ""),
        TEXT_START.replace("\"index\":0", "\"index\":-1"), TEXT_START.replace("\"index\":0", "\"index\":0.0"),
        TEXT_START.replace("\"index\":0", "\"index\":\"0\""), TEXT_START.replace("\"index\":0", "\"index\":99999999999"),
        TEXT_START.replace("\"index\":0", "\"index\":0,\"index\":0"), TEXT_START.replace("\"index\"", "\"ind\\u0065x\""),
        TEXT_START.replace("\"content_block_start\"", "\"x\""), TEXT_START.replace("\"content_block\":{\"type\":\"text\",\"text\":\"\"}", "\"content_block\":null"),
        TEXT_START.replace("\"content_block\":{\"type\":\"text\",\"text\":\"\"}", "\"content_block\":[]"),
        "{\"type\":\"content_block_start\",\"index\":0}", TEXT_START + " ,", "{}");
    for (String block : blocks) {
      assertSameReading(stream(START, block, DELTA), block);
      assertSameReading(stream(START, block + "\n\nevent: content_block_start\ndata: " + block, DELTA), "twice: " + block);
      assertSameReading("event: content_block_start\ndata: " + block + "\n\n" + stream(START, TEXT_START, DELTA), "before the start: " + block);
    }
    List<String> deltas = List.of(DELTA, FULL_DELTA, DELTA.replace("\"end_turn\"", "\"max_tokens\""), DELTA.replace("\"end_turn\"", "\"weird\""),
        DELTA.replace("\"end_turn\"", "null"), DELTA.replace("\"end_turn\"", "3"), DELTA.replace("\"stop_sequence\":null", "\"stop_sequence\":\"\\n\""),
        DELTA.replace("\"stop_sequence\":null", "\"stop_sequence\":[]"), DELTA.replace("\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}", "\"delta\":null"),
        DELTA.replace("\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},", ""),
        DELTA.replace("\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}", "\"delta\":\"x\""),
        DELTA.replace("\"stop_sequence\":null", "\"stop_reason\":\"tool_use\""), DELTA.replace("\"usage\":{\"output_tokens\":15}", "\"usage\":null"),
        DELTA.replace(",\"usage\":{\"output_tokens\":15}", ""), DELTA.replace("{\"output_tokens\":15}", "{}"),
        DELTA.replace("{\"output_tokens\":15}", "{\"output_tokens\":\"15\"}"), DELTA.replace("{\"output_tokens\":15}", "7"),
        DELTA.replace("{\"output_tokens\":15}", "{\"output_tokens\":15,\"output_tokens\":16}"), DELTA.replace("\"message_delta\"", "\"ping\""),
        DELTA + "}", "{}", "[]");
    for (String delta : deltas) {
      assertSameReading(stream(START, TEXT_START, delta), delta);
      assertSameReading("event: message_delta\ndata: " + delta + "\n\n" + stream(START, TEXT_START, DELTA), "before the start: " + delta);
    }
  }

  @Test
  void randomCorruptionsOfRealEventsAreReadAsTheTreeReadsThem() {
    JsonCorruptions.each(List.of(START), 3_000, (bytes, what) -> assertSameCorrupted(bytes, what, 0));
    JsonCorruptions.each(List.of(TEXT_START, THINKING_START, TOOL_START, SERVER_TOOL_START), 4_000,
        (bytes, what) -> assertSameCorrupted(bytes, what, 1));
    JsonCorruptions.each(List.of(DELTA, FULL_DELTA), 3_000, (bytes, what) -> assertSameCorrupted(bytes, what, 2));
  }

  private static void assertSameCorrupted(byte[] bytes, String what, int which) {
    String data = new String(bytes, StandardCharsets.UTF_8);
    if (data.contains("\n") || data.contains("\r")) {
      return; // a line break makes other SSE lines, not a corrupted event
    }
    assertSameReading(switch (which) {
      case 0 -> stream(data, TEXT_START, DELTA);
      case 1 -> stream(START, data, DELTA);
      default -> stream(START, TEXT_START, data);
    }, what);
  }

  /** A stream with these three events, a delta of block 0, its stop and the message's stop. */
  private static String stream(String start, String block, String delta) {
    return "event: message_start\ndata: " + start + "\n\n"
        + "event: content_block_start\ndata: " + block + "\n\n"
        + "event: content_block_delta\ndata: " + TEXT_DELTA + "\n\n"
        + "event: content_block_stop\ndata: " + BLOCK_STOP + "\n\n"
        + "event: message_delta\ndata: " + delta + "\n\n"
        + "event: message_stop\ndata: " + MESSAGE_STOP + "\n\n";
  }

  private static void assertSameReading(String stream, String what) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    assertEquals(read(false, false, bytes), read(true, false, bytes), what);
    assertEquals(read(false, true, bytes), read(true, true, bytes), "passed through: " + what);
  }

  /** The unified events, the usage the decoder reports and its error, and with {@code relay} the bytes the client got. */
  private static String read(boolean scan, boolean relay, byte[] stream) {
    AnthropicStreamDecoder decoder = new AnthropicStreamDecoder(scan);
    AnthropicStreamEncoder encoder = new AnthropicStreamEncoder(CTX);
    if (relay) {
      assertTrue(encoder.relayFrom(decoder));
    }
    List<StreamEvent> events = new ArrayList<>();
    Buffer client = Buffer.buffer();
    String outcome;
    try {
      events.addAll(decoder.feed(Buffer.buffer(stream)));
      events.addAll(decoder.finish());
      outcome = " completed " + decoder.completed();
    } catch (RuntimeException e) {
      outcome = " then " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    if (relay) {
      for (StreamEvent event : events) {
        client.appendBuffer(encoder.encode(event));
      }
      client.appendBuffer(encoder.pending());
    }
    return events + outcome + " usage " + decoder.reported() + (relay ? " client " + client.toString(StandardCharsets.UTF_8) : "");
  }

  private static boolean read(MessageStartScanner scanner, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return scanner.read(bytes, 0, bytes.length);
  }

  private static boolean read(BlockStartScanner scanner, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return scanner.read(bytes, 0, bytes.length);
  }

  private static boolean read(MessageDeltaScanner scanner, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return scanner.read(bytes, 0, bytes.length);
  }
}
