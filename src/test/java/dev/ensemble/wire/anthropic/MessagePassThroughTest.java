package dev.ensemble.wire.anthropic;

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

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A complete Anthropic message read by the {@link MessageScanner} gives exactly what the tree
 * reading gives, or is left to the tree: for every body below — usual, odd, invalid, and thousands of random corruptions
 * — the unified answer (or the error) is the same both ways; and what an Anthropic client is sent is the upstream's body
 * with only the gateway's id and the client's model name in place of the upstream's.
 */
class MessagePassThroughTest {

  private static final ResponseContext CTX = new ResponseContext("req_1", "my-\"alias\"", 1_700_000_000L);
  private static final String TEXT = "{\"id\":\"msg_up\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
      + "\"content\":[{\"type\":\"text\",\"text\":\"Hello \\\"there\\\" é 👋\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
      + "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":4,\"output_tokens\":8}}";
  private static final String TOOL = "{\n  \"id\": \"msg_t\",\n  \"type\": \"message\",\n  \"role\": \"assistant\",\n  \"model\": \"claude-y\",\n"
      + "  \"content\": [{\"type\": \"thinking\", \"thinking\": \"hmm\", \"signature\": \"sig\"}, {\"type\": \"text\", \"text\": \"Let me look.\"},"
      + " {\"type\": \"tool_use\", \"id\": \"toolu_1\", \"name\": \"get_weather\", \"input\": {\"city\": \"Paris\", \"days\": [1, 2.5]}},"
      + " {\"type\": \"web_search_tool_result\", \"tool_use_id\": \"srv\", \"content\": []}],\n  \"stop_reason\": \"tool_use\",\n"
      + "  \"stop_sequence\": null,\n  \"usage\": {\"input_tokens\": 100, \"output_tokens\": 20}\n}\n";

  private static final String THINKING = TOOL.substring(0, TOOL.indexOf(" {\"type\": \"tool_use\"")) + TOOL.substring(TOOL.indexOf(" {\"type\": \"web_search"));
  private static final String REDACTED = TEXT.replace("{\"type\":\"text\",", "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAh\"},{\"type\":\"text\",");

  private static final List<String> BODIES = List.of(TEXT, TOOL, THINKING, REDACTED,
      TEXT.replace("\"text\":\"Hello", "\"cache_control\":null,\"text\":\"Hello"),
      TEXT.replace("\"text\":\"Hello", "\"cache_control\":{\"type\":\"ephemeral\"},\"text\":\"Hello"),
      TEXT.replace("\"text\":\"Hello", "\"cache_control\":7,\"text\":\"Hello"), TEXT.replace("\"text\":\"Hello", "\"type\":\"text\",\"text\":\"Hello"),
      TEXT.replace("{\"type\":\"text\",\"text\":\"Hello \\\"there\\\" é 👋\"}", "{\"type\":\"text\"}"),
      TEXT.replace("{\"type\":\"text\",", "{\"type\":null,"), TEXT.replace("{\"type\":\"text\",", "{\"type\":\"image\","),
      TEXT.replace("{\"type\":\"text\",", "{\"type\":\"custom_block\","), TEXT.replace("{\"type\":\"text\",", "{"),
      THINKING.replace("\"signature\": \"sig\"", "\"signature\": 7"), THINKING.replace("\"thinking\": \"hmm\", ", ""),
      REDACTED.replace("\"data\":\"EmwKAh\"", "\"data\":null"), TEXT.replace("\"input_tokens\":12", "\"input_tokens\":-12"),
      TEXT.replace("\"input_tokens\":12", "\"input_tokens\":12.0"), TEXT.replace("\"usage\":{", "\"usage\":7,\"u\":{"),
      TEXT.replace("\"stop_sequence\":null", "\"stop_sequence\":\"END\""), "  " + TEXT + "\n", TEXT + " x", TEXT + TEXT, "{}", "[]", "", "\"m\"",
      TEXT.replace("\"msg_up\"", "null"), TEXT.replace("\"msg_up\"", "7"), TEXT.replace("\"claude-x\"", "{}"),
      TEXT.replace("\"id\":\"msg_up\",", ""), TEXT.replace("\"model\":\"claude-x\",", ""), TEXT.replace("\"type\":\"message\"", "\"model\":\"m\""),
      TEXT.replace("\"type\":\"message\"", "\"id\":\"again\""), TEXT.replace("\"type\":\"message\"", "\"\\u0069d\":\"esc\""),
      TEXT.replace("\"content\":[", "\"content\":null,\"c\":["), TEXT.replace("\"content\":[{", "\"content\":[7,{"),
      TEXT.replace("\"end_turn\"", "\"max_tokens\""), TEXT.replace("\"end_turn\"", "7"), TEXT.replace("null,\"usage\"", "\"STOP\",\"usage\""),
      TEXT.replace("\"input_tokens\":12", "\"input_tokens\":\"12\""), TEXT.replace("\"input_tokens\":12", "\"input_tokens\":12.5"),
      TEXT.replace("\"usage\":{", "\"usage\":null,\"u\":{"), TEXT.replace("\"text\":\"Hello", "\"text\":\"a\",\"text\":\"Hello"),
      TEXT.replace("null,\"usage\"", "nul,\"usage\""), TEXT.replace("\"msg_up\"", "\"msg\\u005fup\""));

  private final AnthropicResponseCodec codec = new AnthropicResponseCodec();
  private final AnthropicClientDialect client = new AnthropicClientDialect();

  @Test
  void everyBodyIsReadAsTheTreeReadsIt() {
    for (String body : BODIES) {
      assertSameReading(body.getBytes(StandardCharsets.UTF_8), "body " + body);
    }
  }

  @Test
  void randomCorruptionsOfRealBodiesAreReadAsTheTreeReadsThem() {
    JsonCorruptions.each(List.of(TEXT, TOOL, THINKING, REDACTED), 5_000, (bytes, what) -> assertSameReading(bytes, what));
  }

  @Test
  void anAnthropicClientGetsTheUpstreamsBytesWithTheGatewaysIdAndModelAndOtherClientsARendering() {
    UnifiedResponse read = codec.decode(Buffer.buffer(THINKING));
    assertNotNull(read.upstreamBody());
    assertEquals(THINKING.replace("\"msg_t\"", "\"msg_req_1\"").replace("\"claude-y\"", "\"my-\\\"alias\\\"\""),
        client.passThrough(read, CTX).toString(StandardCharsets.UTF_8));
    assertNull(codec.decode(Buffer.buffer(TOOL)), "a tool call goes to the tree");
    assertNull(new dev.ensemble.wire.openai.OpenAiClientDialect().passThrough(read, CTX), "an OpenAI client gets a rendering");
    assertNull(codec.decode(Buffer.buffer(TEXT.replace("\"type\":\"message\"", "\"model\":\"m\""))), "a repeated model goes to the tree");
  }

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
    String read;
    UnifiedResponse answer = null;
    try {
      answer = codec.decode(Buffer.buffer(body));
      read = answer == null ? tree : answer.withUpstreamBody(null).toString();
    } catch (RuntimeException e) {
      read = e.getClass().getSimpleName() + ": " + e.getMessage();
    }
    assertEquals(tree, read, what);
    if (answer != null && answer.upstreamBody().spliceable(false)) {
      JsonObject expected = parsed.copy().put("id", "msg_req_1").put("model", CTX.model());
      assertEquals(expected, new JsonObject(client.passThrough(answer, CTX)), what + ": passed through");
    }
  }


}
