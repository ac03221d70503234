package dev.ensemble.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.anthropic.AnthropicClientDialect;
import dev.ensemble.wire.gemini.GeminiClientDialect;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import dev.ensemble.wire.responses.ResponsesClientDialect;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every client format writes a complete answer with the streaming generator ({@link ClientDialect#writeResponse}) as
 * exactly the bytes its tree ({@link ClientDialect#encodeResponse}) encodes to: held to that tree over thousands of
 * random answers of every shape, and a few named ones.
 */
class AnswerWritersTest {

  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final List<ClientDialect> DIALECTS = List.of(new OpenAiClientDialect(), new AnthropicClientDialect(),
      new ResponsesClientDialect(), new GeminiClientDialect());
  private static final int ANSWERS = 3_000;

  private static byte[] written(ClientDialect dialect, UnifiedResponse answer, ResponseContext context) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      dialect.writeResponse(answer, context, g);
    }
    return out.toByteArray();
  }

  private static void assertSameBytes(ClientDialect dialect, UnifiedResponse answer, ResponseContext context, String what) throws IOException {
    byte[] tree = dialect.encodeResponse(answer, context).toBuffer().getBytes();
    byte[] written = written(dialect, answer, context);
    assertArrayEquals(tree, written, () -> dialect.name() + ", " + what + ":\n tree    " + new String(tree, StandardCharsets.UTF_8)
        + "\n written " + new String(written, StandardCharsets.UTF_8) + "\n answer " + answer + "\n context " + context);
  }

  @Test
  void everyFormatWritesItsOwnAnswersWithoutATree() throws NoSuchMethodException {
    for (ClientDialect dialect : DIALECTS) {
      assertEquals(dialect.getClass(), dialect.getClass()
          .getMethod("writeResponse", UnifiedResponse.class, ResponseContext.class, JsonGenerator.class).getDeclaringClass(), dialect.name());
    }
  }

  @Test
  void randomAnswersAreWrittenAsTheBytesOfTheirTree() throws IOException {
    for (ClientDialect dialect : DIALECTS) {
      for (int seed = 0; seed < ANSWERS; seed++) {
        RandomAnswers random = new RandomAnswers(seed * 31L + dialect.name().hashCode());
        UnifiedResponse answer = random.answer();
        if (dialect.name().equals("responses") && seed % 7 == 0) {
          answer = new UnifiedResponse(answer.id(), answer.model(), answer.content(), answer.stopReason(), null, answer.usage(), random.nativeBody());
        }
        assertSameBytes(dialect, answer, random.context(dialect.name(), answer), "seed " + seed);
      }
    }
  }

  @Test
  void namedAnswersAreWrittenAsTheBytesOfTheirTree() throws IOException {
    ResponseContext plain = new ResponseContext("01kbqz3x5m0000000000000000", "bench-gpt", 1_764_930_000L);
    List<UnifiedResponse> answers = List.of(
        new UnifiedResponse("u", "m", List.of(ContentBlock.Text.of("Hello from the stub upstream: ok.")), StopReason.END_TURN, null,
            new Usage(12L, 8L, null, null)),
        new UnifiedResponse("u", "m", List.of(), null, null, Usage.UNKNOWN),
        new UnifiedResponse("u", "m", List.of(new ContentBlock.Thinking("Let me think \"hard\"\n", "sig", null), ContentBlock.Text.of("A"),
            ContentBlock.Text.of("B 😀"), new ContentBlock.ToolUse("call_1", "lookup", "{\"q\": \"x\", \"n\": 1.50}", null),
            new ContentBlock.ToolUse("call_2", "other", "not json", null)), StopReason.TOOL_USE, null, new Usage(10L, 20L, 3L, 4L, 5L)),
        new UnifiedResponse("u", "m", List.of(new ContentBlock.ToolUse("call_1", "lookup", "{}", null)), StopReason.MAX_TOKENS, null,
            new Usage(null, 7L, null, null)),
        new UnifiedResponse("u", "m", List.of(ContentBlock.Text.of("cut")), StopReason.ERROR, "STOP", Usage.UNKNOWN));
    ResponseContext echoing = new ResponseContext("01kbqz3x5m0000000000000001", "gpt-5", 1_764_930_000L, new JsonObject()
        .put("instructions", "Be brief").put("metadata", new JsonObject().put("k", "v")).put("temperature", 0.2).put("store", false)
        .put("custom_tools", new JsonArray().add("other")).put("include_encrypted_reasoning", true).put("thoughts", true));
    for (ClientDialect dialect : DIALECTS) {
      for (int i = 0; i < answers.size(); i++) {
        assertSameBytes(dialect, answers.get(i), plain, "answer " + i);
        assertSameBytes(dialect, answers.get(i), echoing, "answer " + i + ", echoing");
      }
    }
  }
}
