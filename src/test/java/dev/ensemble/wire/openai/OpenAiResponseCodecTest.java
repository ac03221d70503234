package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

class OpenAiResponseCodecTest {

  private static final ResponseContext CTX = new ResponseContext("req_9", "smart", 1_700_000_001L);

  private final OpenAiResponseCodec codec = new OpenAiResponseCodec();

  @Test
  void decodesToolCallsAndNormalisesCachedUsage() {
    UnifiedResponse resp = codec.decode(new JsonObject(Fixtures.text("providers/openai/responses/tool-calls.json")));
    assertEquals("chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG", resp.id());
    assertEquals("gpt-4o-2024-08-06", resp.model());
    assertEquals(List.of(
        new ContentBlock.ToolUse("call_a", "get_weather", "{\"city\": \"Paris\"}", null),
        new ContentBlock.ToolUse("call_b", "get_time", "{}", null)), resp.content());
    assertEquals(StopReason.TOOL_USE, resp.stopReason());
    assertEquals(new Usage(86L, 300L, 1920L, null, 0L), resp.usage());
    assertEquals(2006L, resp.usage().promptTotal());
  }

  @Test
  void decodesReasoningContentFirstThenText() {
    UnifiedResponse resp = codec.decode(new JsonObject("{\"id\":\"x\",\"model\":\"deepseek-reasoner\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"42\",\"reasoning_content\":\"think\"},\"finish_reason\":\"length\"}],"
        + "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}"));
    assertEquals(List.of(new ContentBlock.Thinking("think", null, null), ContentBlock.Text.of("42")), resp.content());
    assertEquals(StopReason.MAX_TOKENS, resp.stopReason());
    assertEquals(new Usage(10L, 5L, null, null), resp.usage());
  }

  @Test
  void missingUsageIsUnknownNotZero() {
    UnifiedResponse resp = codec.decode(new JsonObject("{\"choices\":[{\"message\":{\"content\":\"hi\"},\"finish_reason\":\"content_filter\"}]}"));
    assertEquals(Usage.UNKNOWN, resp.usage());
    assertEquals(StopReason.CONTENT_FILTER, resp.stopReason());
  }

  @Test
  void refusalBecomesTextWithRefusalStop() {
    UnifiedResponse resp = codec.decode(new JsonObject("{\"choices\":[{\"message\":{\"content\":null,\"refusal\":\"I can't.\"},\"finish_reason\":\"stop\"}]}"));
    assertEquals(List.of(ContentBlock.Text.of("I can't.")), resp.content());
    assertEquals(StopReason.REFUSAL, resp.stopReason());
  }

  @Test
  void bodyWithoutChoicesIsAProtocolError() {
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"id\":\"x\"}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"choices\":[]}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"choices\":[{\"message\":{\"content\":7}}]}")));
    assertThrows(UpstreamProtocolException.class, () -> codec.decode(new JsonObject("{\"choices\":[{\"message\":{\"tool_calls\":[{\"id\":\"a\"}]}}]}")));
  }

  @Test
  void encodesClientChatCompletionUnderTheGatewayIdAndModel() {
    UnifiedResponse resp = new UnifiedResponse("msg_up", "claude-x", List.of(
        new ContentBlock.Thinking("hmm", "sig", null),
        ContentBlock.Text.of("Let me check."),
        new ContentBlock.ToolUse("toolu_1", "get_weather", "{\"city\":\"Paris\"}", null)),
        StopReason.TOOL_USE, null, new Usage(100L, 20L, 1000L, 50L));
    JsonObject expected = new JsonObject("{\"id\":\"chatcmpl-req_9\",\"object\":\"chat.completion\",\"created\":1700000001,"
        + "\"model\":\"smart\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Let me check.\","
        + "\"refusal\":null,\"tool_calls\":[{\"id\":\"toolu_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
        + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],"
        + "\"usage\":{\"prompt_tokens\":1150,\"completion_tokens\":20,\"total_tokens\":1170,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":1000},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}");
    assertEquals(expected.encode(), codec.encode(resp, CTX).encode());
  }

  @Test
  void encodedResponseParsesAsAnSdkChatCompletion() throws Exception {
    UnifiedResponse resp = codec.decode(new JsonObject(Fixtures.text("providers/openai/responses/tool-calls.json")));
    ChatCompletion parsed = ObjectMappers.jsonMapper().readValue(codec.encode(resp, CTX).encode(), ChatCompletion.class).validate();
    assertEquals(2, parsed.choices().get(0).message().toolCalls().orElseThrow().size());
    assertEquals(2006L, parsed.usage().orElseThrow().promptTokens());
  }

  @ParameterizedTest
  @CsvSource({"END_TURN,stop", "STOP_SEQUENCE,stop", "PAUSE_TURN,stop", "MAX_TOKENS,length", "TOOL_USE,tool_calls",
      "CONTENT_FILTER,content_filter", "REFUSAL,content_filter"})
  void mapsStopReasonsToFinishReasons(StopReason reason, String finish) {
    UnifiedResponse resp = new UnifiedResponse("x", "m", List.of(ContentBlock.Text.of("a")), reason, null, null);
    assertEquals(finish, codec.encode(resp, CTX).getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
  }

  @Test
  void emptyAnswerHasEmptyStringContentAndZeroUsage() {
    UnifiedResponse resp = new UnifiedResponse("x", "m", List.of(), StopReason.END_TURN, null, null);
    JsonObject body = codec.encode(resp, CTX);
    assertEquals("", body.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
    assertEquals(0L, body.getJsonObject("usage").getLong("total_tokens"));
  }
}
