package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.testing.JsonCorruptions;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A complete {@code chat.completion} read by the {@link CompletionScanner} gives exactly what the tree reading gives, or
 * is left to the tree: for every body below — usual, odd, invalid, and thousands of random corruptions of real ones —
 * the unified answer (or the error) is the same both ways; and where the body is kept for an OpenAI client, what that
 * client is sent is the upstream's body with only the gateway's id, model and creation time in place of the upstream's.
 */
class CompletionScannerTest {

  private static final ResponseContext CTX = new ResponseContext("req_1", "my-\"alias\"", 1_700_000_000L);
  private static final String TEXT = "{\"id\":\"chatcmpl-up\",\"object\":\"chat.completion\",\"created\":1699999999,\"model\":\"gpt-4o-mini\","
      + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello \\\"there\\\" é 👋\",\"refusal\":null,"
      + "\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":4,"
      + "\"total_tokens\":34,\"prompt_tokens_details\":{\"cached_tokens\":10,\"audio_tokens\":0},\"completion_tokens_details\":"
      + "{\"reasoning_tokens\":2,\"audio_tokens\":0}},\"service_tier\":\"default\",\"system_fingerprint\":\"fp_1\"}";
  private static final String TOOLS = "{\n  \"id\": \"chatcmpl-t\",\n  \"object\": \"chat.completion\",\n  \"created\": 1699999999,\n"
      + "  \"model\": \"gpt-4o\",\n  \"choices\": [{\"index\": 0, \"message\": {\"role\": \"assistant\", \"content\": null, \"tool_calls\": ["
      + "{\"id\": \"call_a\", \"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}},"
      + "{\"id\": \"call_b\", \"type\": \"function\", \"function\": {\"name\": \"get_time\", \"arguments\": \"{}\"}}]},"
      + " \"finish_reason\": \"tool_calls\"}],\n  \"usage\": {\"prompt_tokens\": 86, \"completion_tokens\": 30, \"cost\": 0.00012}\n}\n";
  private static final String REASONING = "{\"id\":\"r\",\"model\":\"deepseek-reasoner\",\"created\":1,\"choices\":[{\"message\":"
      + "{\"content\":\"4\",\"reasoning_content\":\"2+2\"},\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,"
      + "\"completion_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":1,\"cache_write_tokens\":2}}}";
  private static final String REFUSAL = "{\"id\":\"x\",\"model\":\"m\",\"created\":2,\"choices\":[{\"message\":{\"content\":null,"
      + "\"refusal\":\"I can't\"},\"finish_reason\":\"stop\"}]}";

  private static final List<String> BODIES = List.of(
      TEXT, TOOLS, REASONING, REFUSAL, Fixtures.text("providers/openai/responses/tool-calls.json"),
      content("\"line\\none\\ttab \\\"quoted\\\" back\\\\slash \\/ \\b\\f\\r\""),
      content("\"\\u00e9\\u00E9 \\ud83d\\udc4b \\u0000 lone \\ud800 end\""), content("\"\""), content("null"),
      content("[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]"), content("7"), content("{\"a\":1}"),
      content("\"raw\ttab\""), content("\"bad \\x escape\""), content("\"unterminated"),
      "  " + TEXT + " \r\n\t", TEXT + " x", TEXT + TEXT, TEXT.replace("\"fp_1\"", "\"fp_1\","), "{}", "[]", "\"text\"", "", "  ",
      TEXT.replace("1699999999", "-12"), TEXT.replace("1699999999", "1.5"), TEXT.replace("1699999999", "\"now\""),
      TEXT.replace("1699999999", "null"), TEXT.replace("\"created\":1699999999,", ""),
      TEXT.replace("\"chatcmpl-up\"", "null"), TEXT.replace("\"chatcmpl-up\"", "42"), TEXT.replace("\"gpt-4o-mini\"", "[\"m\"]"),
      TEXT.replace("\"id\":\"chatcmpl-up\",", ""), TEXT.replace("\"model\":\"gpt-4o-mini\",", ""),
      TEXT.replace("\"object\"", "\"id\""), TEXT.replace("\"object\"", "\"\\u0069d\""), TEXT.replace("\"object\"", "\"model\""),
      TEXT.replace("\"choices\":[", "\"choices\":[],\"choices\":["), TEXT.replace("\"choices\":[{", "\"choices\":[7,{"),
      TEXT.replace("\"finish_reason\":\"stop\"}]", "\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"content\":\"b\"}}]"),
      TEXT.replace("\"finish_reason\":\"stop\"}]", "\"finish_reason\":\"stop\"},7]"),
      TEXT.replace("\"choices\":[{\"index\":0,", "\"choices\":[{"), TEXT.replace("\"stop\"", "null"), TEXT.replace("\"stop\"", "3"),
      TEXT.replace("\"refusal\":null", "\"refusal\":7"), TEXT.replace("\"refusal\":null", "\"content\":\"again\""),
      TEXT.replace("\"message\":{", "\"message\":null,\"x\":{"), "{\"choices\":[{\"message\":{}}]}", "{\"choices\":[{}]}",
      "{\"choices\":[]}", "{\"choices\":{}}", "{\"choices\":[{\"message\":{\"content\":\"a\"}}],\"usage\":7}",
      TEXT.replace("\"usage\":{", "\"usage\":null,\"u\":{"), TEXT.replace("\"prompt_tokens\":30", "\"prompt_tokens\":30.0"),
      TEXT.replace("\"prompt_tokens\":30", "\"prompt_tokens\":\"30\""), TEXT.replace("\"prompt_tokens\":30", "\"prompt_tokens\":-30"),
      TEXT.replace("\"prompt_tokens\":30", "\"prompt_tokens\":12345678901"), TEXT.replace("\"prompt_tokens\":30", "\"prompt_tokens\":null"),
      TEXT.replace("\"completion_tokens\":4", "\"completion_tokens\":4,\"completion_tokens\":5"),
      TEXT.replace("{\"cached_tokens\":10,\"audio_tokens\":0}", "null"), TEXT.replace("{\"cached_tokens\":10,\"audio_tokens\":0}", "7"),
      TEXT.replace("\"cached_tokens\":10", "\"cached_tokens\":40"),
      TOOLS.replace("\"cost\": 0.00012", "\"cost\": \"0.1\""), TOOLS.replace("\"cost\": 0.00012", "\"cost\": 3e-5"),
      TOOLS.replace("\"id\": \"call_a\", ", ""), TOOLS.replace("\"name\": \"get_time\", ", ""),
      TOOLS.replace("\"id\": \"call_a\"", "\"id\": null"), TOOLS.replace("\"arguments\": \"{}\"", "\"arguments\": null"),
      TOOLS.replace("\"arguments\": \"{}\"", "\"arguments\": {}"), TOOLS.replace("\"tool_calls\": [", "\"tool_calls\": [7, "),
      TOOLS.replace("\"function\": {\"name\": \"get_time\", \"arguments\": \"{}\"}", "\"function\": \"f\""),
      TOOLS.replace("\"tool_calls\": [", "\"tool_calls\": null, \"x\": ["), TOOLS.replace("\"tool_calls\": [", "\"tool_calls\": {\"a\": ["),
      TOOLS.replace("]},", "], \"tool_calls\": []},"),
      TEXT.replace("\"annotations\":[]", "\"annotations\":[{\"type\":\"url_citation\",\"url_citation\":{\"start_index\":1,\"end_index\":-2e3,"
          + "\"title\":\"t\",\"deep\":[[],{},true,false,null]}}]"),
      TEXT.replace("null,\"annotations\"", "nul,\"annotations\""), TEXT.replace("\"content\":", "\"c\\u006fntent\":"));

  private final OpenAiResponseCodec codec = new OpenAiResponseCodec();
  private final OpenAiClientDialect client = new OpenAiClientDialect();

  @Test
  void everyBodyIsReadAsTheTreeReadsIt() {
    for (String body : BODIES) {
      assertSameReading(body.getBytes(StandardCharsets.UTF_8), "body " + body);
    }
  }

  @Test
  void invalidUtf8IsLeftToTheTree() {
    int[][] sequences = {{0xC0, 0x80}, {0x80}, {0xE0, 0x80, 0x80}, {0xED, 0xA0, 0x80}, {0xF4, 0x90, 0x80, 0x80}, {0xFF}, {0xC3},
        {0xF0, 0x9F, 0x91}, {0xC3, 0xA9}, {0xF0, 0x9F, 0x91, 0x8B}};
    for (int[] sequence : sequences) {
      String[] parts = TEXT.replace("\"Hello ", "\"He#llo ").split("#");
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
  void randomCorruptionsOfRealBodiesAreReadAsTheTreeReadsThem() {
    JsonCorruptions.each(List.of(TEXT, TOOLS, REASONING, REFUSAL), 5_000, (bytes, what) -> assertSameReading(bytes, what));
  }

  @Test
  void readsTheUsualBodiesItselfAndKeepsThemForAnOpenAiClient() {
    for (String usual : List.of(TEXT, TOOLS, REASONING, REFUSAL, "  " + TEXT + "\n")) {
      UnifiedResponse read = codec.decode(Buffer.buffer(usual));
      assertNotNull(read, usual);
      assertNotNull(read.upstreamBody(), usual);
    }
    assertNull(codec.decode(Buffer.buffer(content("[{\"type\":\"text\",\"text\":\"a\"}]"))), "content parts go to the tree");
    assertNull(codec.decode(Buffer.buffer(TEXT.replace("\"object\"", "\"model\""))), "a repeated model goes to the tree");
    UnifiedResponse twoChoices = codec.decode(Buffer.buffer(
        TEXT.replace("\"finish_reason\":\"stop\"}]", "\"finish_reason\":\"stop\"},{\"index\":1,\"message\":{\"content\":\"b\"}}]")));
    assertNull(twoChoices.upstreamBody(), "an answer of several choices is rendered (its first), not passed through");
    assertEquals("{\"id\":\"chatcmpl-req_1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"my-\\\"alias\\\"\","
        + TEXT.substring(TEXT.indexOf("\"choices\"")), client.passThrough(codec.decode(Buffer.buffer(TEXT)), CTX).toString());
  }

  /** The body read by the codec (scanner first) and by the tree alone: the same answer or error; a kept body splices right. */
  private void assertSameReading(byte[] body, String what) {
    String tree;
    JsonObject parsed = null;
    try {
      Object value = Json.decodeValue(Buffer.buffer(body));
      parsed = value instanceof JsonObject json ? json : null;
      tree = parsed == null ? "not an object" : codec.decode(parsed).toString();
    } catch (RuntimeException e) {
      tree = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    String scanned;
    UnifiedResponse read = null;
    try {
      read = codec.decode(Buffer.buffer(body));
      scanned = read == null ? tree : read.withUpstreamBody(null).toString();
    } catch (RuntimeException e) {
      scanned = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    assertEquals(tree, scanned, what);
    if (read != null && read.upstreamBody() != null && read.upstreamBody().spliceable(true)) {
      Buffer sent = client.passThrough(read, CTX);
      JsonObject expected = parsed.copy().put("id", "chatcmpl-req_1").put("model", CTX.model()).put("created", 1_700_000_000L);
      assertEquals(expected, new JsonObject(sent), what + ": passed through");
    }
  }

  private static String content(String value) {
    return "{\"id\":\"c\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":"
        + "{\"role\":\"assistant\",\"content\":" + value + "},\"finish_reason\":\"stop\"}]}";
  }


}
