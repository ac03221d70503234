package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.testing.JsonCorruptions;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link ChunkScanner} reads a chunk exactly as Jackson does, or leaves it to Jackson: for every chunk below —
 * usual, odd, invalid, and thousands of random corruptions of real ones — a decoder that scans and one that reads
 * everything with Jackson give the same unified events (or the same stream error) and pass the same bytes through.
 */
class ChunkScannerTest {

  private static final ResponseContext CTX = new ResponseContext("req_1", "my-alias", 1_700_000_000L);
  private static final String HEAD = "{\"id\":\"chatcmpl-up\",\"object\":\"chat.completion.chunk\",\"created\":1699999999,"
      + "\"model\":\"gpt-4o-mini\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_1\",\"choices\":";
  private static final String FIRST = HEAD + "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
      + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"abc\"}";
  private static final String TEXT = HEAD + "[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,\"finish_reason\":null}],"
      + "\"usage\":null,\"obfuscation\":\"x\"}";
  private static final String FINISH = HEAD + "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}";
  private static final String USAGE = HEAD + "[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":4,\"total_tokens\":34}}";
  /** The usage chunk as OpenAI sends it today, details and all (OpenRouter adds its cost). */
  private static final String FULL_USAGE = HEAD + "[],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":300,\"total_tokens\":1500,"
      + "\"prompt_tokens_details\":{\"cached_tokens\":1024,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":64,"
      + "\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0},\"cost\":0.00042},\"obfuscation\":\"u\"}";
  private static final String TOOL_START = HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\","
      + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}";
  private static final String TOOL_ARGS = HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
      + "\"finish_reason\":null}]}";

  private static final List<String> CHUNKS = List.of(
      FIRST, TEXT, FINISH, USAGE, TOOL_START, TOOL_ARGS,
      content("\"line\\none\\ttab \\\"quoted\\\" back\\\\slash \\/ \\b\\f\\r\""),
      content("\"\\u00e9\\u00E9 \\ud83d\\udc4b \\u0000 lone \\ud800 end\""),
      content("\"héllo wörld 👋 日本語\""),
      content("\"mixed é \\n 👋\\u0041\""),
      content("null"), content("true"), content("12"), content("{\"a\":1}"), content("[\"a\"]"), content("\"\""),
      content("\"raw\ttab\""), content("\"bad \\x escape\""), content("\"short \\u12\""), content("\"unterminated"),
      "  " + TEXT + " \r\n\t", TEXT + " x", TEXT + TEXT, TEXT.replace("\"usage\":null", "\"usage\":null,"),
      TEXT.replace(",\"obfuscation\"", "\"obfuscation\""), TEXT.replace("\"content\":", "\"content\" :  "),
      "{}", "[]", "[1]", "\"text\"", "", "   ", "{\"id\":\"x\"", "{\"id\":\"x\",}", "{\"id\" \"x\"}", "{id:\"x\"}",
      TEXT.replace("1699999999", "-12"), TEXT.replace("1699999999", "1.5"), TEXT.replace("1699999999", "1e3"),
      TEXT.replace("1699999999", "01"), TEXT.replace("1699999999", "-"), TEXT.replace("1699999999", "\"now\""),
      TEXT.replace("1699999999", "1.e3"), TEXT.replace("1699999999", "2E+5"), TEXT.replace("1699999999", "null"),
      TEXT.replace("\"chatcmpl-up\"", "null"), TEXT.replace("\"chatcmpl-up\"", "42"), TEXT.replace("\"gpt-4o-mini\"", "[\"m\"]"),
      TEXT.replace("\"chatcmpl-up\"", "\"chat\\u0063mpl\""),
      TEXT.replace("{\"content\":\"Hello\"}", "{\"content\":\"a\",\"content\":\"b\"}"),
      TEXT.replace("\"choices\":[", "\"choices\":[],\"choices\":["),
      TEXT.replace("\"object\"", "\"id\""),
      TEXT.replace("\"object\"", "\"\\u0069d\""),
      TEXT.replace("\"object\"", "\"ob\\u006aect\""),
      TEXT.replace("\"obfuscation\":\"x\"", "\"deep\":{\"a\":[1,2.5,-3e-2,true,false,null,{\"b\":[[],{}]}],\"c\":\"\\u263A\"}"),
      HEAD + "{\"a\":1}}", HEAD + "null}", HEAD + "[1]}", HEAD + "[null]}", HEAD + "[]}",
      HEAD + "[{\"index\":0,\"delta\":{\"content\":\"a\"}},{\"index\":1,\"delta\":{\"content\":\"b\"}}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"content\":\"a\"}},7]}",
      HEAD + "[{\"index\":0,\"delta\":\"text\",\"finish_reason\":null}]}",
      HEAD + "[{\"index\":0,\"delta\":null,\"finish_reason\":\"length\"}]}",
      HEAD + "[{\"index\":0,\"delta\":{},\"finish_reason\":3}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"reasoning_content\":\"think\"},\"finish_reason\":null}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"refusal\":\"no\"},\"finish_reason\":null}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"refusal\":7},\"finish_reason\":null}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":null},\"finish_reason\":null}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[]},\"finish_reason\":null}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[7]},\"finish_reason\":null}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":1.0,\"id\":\"c\",\"function\":{\"name\":\"f\"}}]}}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":\"0\",\"id\":\"c\",\"function\":{\"name\":\"f\"}}]}}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":\"f\"}]}}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":5,\"function\":{\"name\":\"f\"}}]}}]}",
      HEAD + "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"a\",\"function\":{\"name\":\"f\"}},"
          + "{\"index\":1,\"id\":\"b\",\"function\":{\"name\":\"g\",\"arguments\":\"{}\"}}]}}]}",
      HEAD + "[],\"error\":{\"message\":\"overloaded\"}}", "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}",
      HEAD + "[],\"error\":null}", HEAD + "[],\"usage\":7}",
      USAGE.replace("\"model\":\"gpt-4o-mini\",", ""), FIRST.replace("\"id\":\"chatcmpl-up\",", ""),
      TEXT.replace("null,\"obfuscation\"", "nul,\"obfuscation\""), TEXT.replace("null,\"obfuscation\"", "tru,\"obfuscation\""),
      TEXT.replace("\"logprobs\":null", "\"logprobs\":{\"content\":[{\"token\":\"Hello\",\"logprob\":-0.0001,\"bytes\":[72,101]}]}"),
      FULL_USAGE, FULL_USAGE.replace("1024", "null"), FULL_USAGE.replace("{\"cached_tokens\":1024,\"audio_tokens\":0}", "null"),
      FULL_USAGE.replace("{\"cached_tokens\":1024,\"audio_tokens\":0}", "{}"), FULL_USAGE.replace("\"cached_tokens\"", "\"cache_write_tokens\""),
      FULL_USAGE.replace("\"audio_tokens\":0}", "\"audio_tokens\":0,\"cache_write_tokens\":100}"),
      FULL_USAGE.replace("0.00042", "null"), FULL_USAGE.replace("0.00042", "\"0.1\""), FULL_USAGE.replace("0.00042", "-1e-3"),
      FULL_USAGE.replace("1200", "\"1200\""), FULL_USAGE.replace("1200", "1200.0"), FULL_USAGE.replace("1200", "-5"),
      FULL_USAGE.replace("1200", "12345678901"), FULL_USAGE.replace("1200", "null"), FULL_USAGE.replace("300", "true"),
      FULL_USAGE.replace("64", "[64]"), FULL_USAGE.replace("{\"reasoning_tokens\":64,", "{\"reasoning_tokens\":64,\"reasoning_tokens\":1,"),
      FULL_USAGE.replace("\"total_tokens\"", "\"prompt_tokens\""), FULL_USAGE.replace("\"total_tokens\":1500", "\"x\":{\"y\":[1,{}]}"),
      HEAD + "[],\"usage\":{}}", HEAD + "[],\"usage\":[]}", HEAD + "[],\"usage\":\"none\"}", HEAD + "[],\"usage\":{\"prompt_tokens\":1},\"usage\":null}",
      FULL_USAGE.replace("\"choices\":[]", "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"last\"},\"finish_reason\":\"stop\"}]"),
      FULL_USAGE.replace("\"prompt_tokens\"", "\"prompt_\\u0074okens\""));

  @Test
  void everyChunkIsReadAsJacksonReadsIt() {
    for (String chunk : CHUNKS) {
      byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
      assertSameReading(bytes, "chunk " + chunk);
    }
  }

  @Test
  void invalidUtf8IsLeftToJackson() {
    int[][] sequences = {{0xC0, 0x80}, {0xC1, 0xBF}, {0x80}, {0xBF}, {0xE0, 0x80, 0x80}, {0xE0, 0xA0}, {0xED, 0xA0, 0x80},
        {0xF0, 0x80, 0x80, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0xF5, 0x80, 0x80, 0x80}, {0xFF}, {0xC3}, {0xE2, 0x82},
        {0xF0, 0x9F, 0x91}, {0xC3, 0xA9}, {0xE2, 0x82, 0xAC}, {0xF0, 0x9F, 0x91, 0x8B}, {0xEF, 0xBF, 0xBF}};
    for (int[] sequence : sequences) {
      for (String where : List.of("content", "obfuscation")) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] parts = TEXT.replace("\"Hello\"", "\"He#llo\"").replace("\"obfuscation\":\"x\"", "\"obfuscation\":\"#\"")
            .split("#");
        out.writeBytes(parts[0].getBytes(StandardCharsets.UTF_8));
        if (where.equals("content")) {
          writeAll(out, sequence);
        }
        out.writeBytes(parts[1].getBytes(StandardCharsets.UTF_8));
        if (where.equals("obfuscation")) {
          writeAll(out, sequence);
        }
        out.writeBytes(parts[2].getBytes(StandardCharsets.UTF_8));
        assertSameReading(out.toByteArray(), "bytes " + java.util.Arrays.toString(sequence) + " in " + where);
      }
    }
  }

  @Test
  void randomCorruptionsOfRealChunksAreReadAsJacksonReadsThem() {
    JsonCorruptions.each(List.of(FIRST, TEXT, FINISH, USAGE, FULL_USAGE, TOOL_START, TOOL_ARGS, content("\"a\\nb \\u00e9 ü\"")), 5_000, (bytes, what) -> assertSameReading(bytes, what));
  }

  @Test
  void readsTheUsualChunksAndTheUsageCountsItselfAndLeavesErrorsToJackson() {
    for (String usual : List.of(FIRST, TEXT, FINISH, USAGE, FULL_USAGE, TOOL_START, TOOL_ARGS, content("\"é \\n 👋\""))) {
      assertTrue(scans(usual), usual);
    }
    for (String other : List.of(FULL_USAGE.replace("1200", "\"1200\""), FULL_USAGE.replace("0.00042", "\"0.1\""), HEAD + "[],\"error\":{\"message\":\"x\"}}", content("7"), TEXT + "x",
        TEXT.replace("\"object\"", "\"\\u0069d\""))) {
      assertFalse(scans(other), other);
    }
  }

  @Test
  void aChunkEndsWhereItsDataEndsWhateverBytesFollowInTheArray() {
    byte[] data = (TEXT.substring(0, TEXT.length() - 1) + "}").getBytes(StandardCharsets.UTF_8);
    ChunkScanner scanner = new ChunkScanner();
    OpenAiStreamDecoder.Chunk chunk = new OpenAiStreamDecoder.Chunk();
    chunk.clear();
    assertFalse(scanner.read(data, 0, data.length - 1, chunk, true), "the closing brace lies past the data");
    chunk.clear();
    assertTrue(scanner.read(data, 0, data.length, chunk, true));
    assertEquals("Hello", chunk.content);
  }

  private static boolean scans(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    OpenAiStreamDecoder.Chunk chunk = new OpenAiStreamDecoder.Chunk();
    chunk.clear();
    return new ChunkScanner().read(bytes, 0, bytes.length, chunk, true);
  }

  /** The chunk as the first of a stream and after a first chunk, read both ways, events and passed-through bytes alike. */
  private static void assertSameReading(byte[] chunk, String what) {
    byte[] first = ("data: " + FIRST + "\n\n").getBytes(StandardCharsets.UTF_8);
    byte[] frame = concat("data: ".getBytes(StandardCharsets.UTF_8), chunk, "\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    for (boolean includeUsage : new boolean[] {true, false}) {
      assertEquals(read(false, frame, includeUsage), read(true, frame, includeUsage), what + " (first)");
      assertEquals(read(false, concat(first, frame), includeUsage), read(true, concat(first, frame), includeUsage), what + " (after the first)");
    }
  }

  /** What a client (that asked for the usage chunk or not) and the journal get from the stream, or the stream's error. */
  private static String read(boolean scan, byte[] stream, boolean includeUsage) {
    OpenAiStreamDecoder decoder = new OpenAiStreamDecoder(scan);
    OpenAiStreamEncoder encoder = new OpenAiStreamEncoder(CTX, includeUsage, new OpenAiErrors());
    encoder.relayFrom(decoder);
    List<StreamEvent> events = new ArrayList<>();
    Buffer client = Buffer.buffer();
    try {
      for (List<StreamEvent> batch : List.of(decoder.feed(Buffer.buffer(stream)), decoder.finish())) {
        for (StreamEvent event : batch) {
          events.add(event);
          client.appendBuffer(encoder.encode(event));
        }
        client.appendBuffer(encoder.pending());
      }
    } catch (RuntimeException e) {
      return events + " then " + e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    return events + " " + client.toString(StandardCharsets.UTF_8);
  }

  private static String content(String value) {
    return HEAD + "[{\"index\":0,\"delta\":{\"content\":" + value + "},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}";
  }

  private static void writeAll(ByteArrayOutputStream out, int[] bytes) {
    for (int b : bytes) {
      out.write(b);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }


}
