package dev.ensemble.testing.fake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The official SDKs parse everything the fake sends: its formats are faithful enough to test adapters. */
class FakeUpstreamSdkTest {

  @RegisterExtension
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private OpenAIClient openAi;
  private AnthropicClient anthropic;

  @BeforeEach
  void createClients() {
    openAi = OpenAIOkHttpClient.builder().baseUrl(fake.openAiBaseUrl()).apiKey("k").maxRetries(0).build();
    anthropic = AnthropicOkHttpClient.builder().baseUrl(fake.baseUrl()).apiKey("k").maxRetries(0).build();
  }

  @AfterEach
  void closeClients() {
    openAi.close();
    anthropic.close();
  }

  @Test
  void openAiSdkParsesANonStreamedCompletion() {
    ChatCompletion completion = openAi.chat().completions().create(openAiParams("Hello SDK"));

    completion.validate();
    assertEquals("echo: Hello SDK", completion.choices().get(0).message().content().orElseThrow());
    assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().get(0).finishReason());
    assertEquals(0L, completion.usage().orElseThrow().promptTokensDetails().orElseThrow().cachedTokens().orElseThrow());
    assertEquals("/v1/chat/completions", fake.lastRequest().path());
  }

  @Test
  void openAiSdkAccumulatesAStreamWithUsage() {
    ChatCompletionCreateParams params = openAiParams("stream me please").toBuilder()
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    int chunks = 0;
    try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
      for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
        chunk.validate();
        accumulator.accumulate(chunk);
        chunks++;
      }
    }

    ChatCompletion completion = accumulator.chatCompletion();
    completion.validate();
    assertTrue(chunks > 3, "chunks " + chunks);
    assertEquals("echo: stream me please", completion.choices().get(0).message().content().orElseThrow());
    assertTrue(completion.usage().orElseThrow().completionTokens() > 0);
  }

  @Test
  void openAiSdkParsesToolCallsStreamedAndNot() {
    fake.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}").andToolCall("get_time", "{}"),
        Reply.toolCall("get_weather", "{\"city\":\"Paris\"}").andToolCall("get_time", "{}"));
    ChatCompletionCreateParams params = openAiParams("weather?").toBuilder()
        .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
            .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object")).build())
            .build()).build())
        .build();

    ChatCompletion completion = openAi.chat().completions().create(params);
    completion.validate();
    assertToolCalls(completion);

    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    ChatCompletion streamed = accumulator.chatCompletion();
    streamed.validate();
    assertToolCalls(streamed);
  }

  private static void assertToolCalls(ChatCompletion completion) {
    assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, completion.choices().get(0).finishReason());
    List<ChatCompletionMessageFunctionToolCall> calls = completion.choices().get(0).message().toolCalls()
        .orElseThrow().stream().map(call -> call.asFunction()).toList();
    assertEquals(2, calls.size());
    assertEquals("get_weather", calls.get(0).function().name());
    assertEquals("{\"city\":\"Paris\"}", calls.get(0).function().arguments());
    assertEquals("get_time", calls.get(1).function().name());
    assertTrue(calls.get(0).id().startsWith("call_"));
  }

  @Test
  void openAiSdkSeesScriptedRateLimit() {
    fake.enqueue(Reply.error(429, "rate_limit_error", "Rate limit reached").header("retry-after", "1"));
    com.openai.errors.RateLimitException error = assertThrows(com.openai.errors.RateLimitException.class,
        () -> openAi.chat().completions().create(openAiParams("x")));
    assertEquals(429, error.statusCode());
  }

  @Test
  void anthropicSdkParsesANonStreamedMessage() {
    Message message = anthropic.messages().create(anthropicParams("Hello SDK"));

    message.validate();
    assertEquals("echo: Hello SDK", message.content().get(0).asText().text());
    assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
    assertEquals(0L, message.usage().cacheReadInputTokens().orElseThrow());
    assertTrue(message.usage().inputTokens() > 0);
    assertTrue(fake.lastRequest().header("anthropic-version") != null);
  }

  @Test
  void anthropicSdkAccumulatesAStreamWithThinking() {
    fake.enqueue(Reply.text("The answer is 42.").thinking("Let me think about it", "sig-abc"));
    MessageAccumulator accumulator = MessageAccumulator.create();
    try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> stream =
        anthropic.messages().createStreaming(anthropicParams("question"))) {
      stream.stream().forEach(accumulator::accumulate);
    }

    Message message = accumulator.message();
    message.validate();
    List<ContentBlock> content = message.content();
    assertEquals("Let me think about it", content.get(0).asThinking().thinking());
    assertEquals("sig-abc", content.get(0).asThinking().signature());
    assertEquals("The answer is 42.", content.get(1).asText().text());
    assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
    assertTrue(message.usage().outputTokens() > 1);
  }

  @Test
  void anthropicSdkParsesToolUseStreamedAndNot() {
    fake.enqueue(Reply.toolCall("get_weather", "{\"city\":\"Paris\"}").withText("Checking."),
        Reply.toolCall("get_weather", "{\"city\":\"Paris\"}").withText("Checking."));
    MessageCreateParams params = anthropicParams("weather?").toBuilder()
        .addTool(Tool.builder().name("get_weather").inputSchema(Tool.InputSchema.builder().build()).build())
        .build();

    Message message = anthropic.messages().create(params);
    message.validate();
    assertToolUse(message);

    MessageAccumulator accumulator = MessageAccumulator.create();
    try (com.anthropic.core.http.StreamResponse<RawMessageStreamEvent> stream =
        anthropic.messages().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }
    Message streamed = accumulator.message();
    streamed.validate();
    assertToolUse(streamed);
  }

  private static void assertToolUse(Message message) {
    assertEquals(StopReason.TOOL_USE, message.stopReason().orElseThrow());
    assertEquals("Checking.", message.content().get(0).asText().text());
    ToolUseBlock toolUse = message.content().get(1).asToolUse();
    assertEquals("get_weather", toolUse.name());
    assertTrue(toolUse.id().startsWith("toolu_"));
    assertEquals(java.util.Map.of("city", "Paris"), toolUse._input().convert(java.util.Map.class));
  }

  @Test
  void anthropicSdkSeesScriptedOverload() {
    fake.enqueue(Reply.error(529, "overloaded_error", "Overloaded"));
    com.anthropic.errors.AnthropicServiceException error = assertThrows(
        com.anthropic.errors.AnthropicServiceException.class,
        () -> anthropic.messages().create(anthropicParams("x")));
    assertEquals(529, error.statusCode());
  }

  private static ChatCompletionCreateParams openAiParams(String text) {
    return ChatCompletionCreateParams.builder().model("gpt-4o").addUserMessage(text).build();
  }

  private static MessageCreateParams anthropicParams(String text) {
    return MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(256).addUserMessage(text).build();
  }
}
