package dev.ensemble.it;

import static dev.ensemble.it.UpstreamChecks.assertReachedUpstreamOf;
import static dev.ensemble.it.UpstreamChecks.isAnthropic;
import static dev.ensemble.it.UpstreamChecks.onlyBlockOfType;
import static dev.ensemble.it.UpstreamChecks.roles;
import static dev.ensemble.it.UpstreamChecks.textOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official OpenAI Java SDK (openai-java 4.101.0), unchanged, talking to the gateway's
 * {@code /v1/chat/completions}, for a model served by an OpenAI-format upstream ({@code gpt-test}) and by an
 * Anthropic-format upstream ({@code claude-test}).
 */
class OpenAiSdkIT {

  @RegisterExtension
  @Order(1)
  static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  @RegisterExtension
  @Order(2)
  static GatewayExtension gateway = GatewayExtension.withConfig(fake,
      f -> GatewayExtension.standardConfigWithAdminKey(f, UpstreamChecks.ADMIN_KEY, ""));

  private static final String SYSTEM = "You are a terse assistant.";
  private static final String LAST_QUESTION = "And what is the capital of Italy?";
  private static final String WEATHER_ARGS = "{\"city\":\"Paris\"}";

  private static OpenAIClient client;

  @BeforeAll
  static void connect() {
    client = OpenAIOkHttpClient.builder()
        .baseUrl(gateway.openAiBaseUrl())
        .apiKey(UpstreamChecks.clientKey(gateway))
        .maxRetries(0)
        .timeout(Duration.ofSeconds(20))
        .build();
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  @BeforeEach
  void upstreamAcceptsOnlyTheConfiguredKeys() {
    fake.server().acceptKeys(GatewayExtension.OPENAI_KEY, GatewayExtension.ANTHROPIC_KEY);
  }

  @Test
  void listsAndRetrievesTheCatalogsModels() {
    List<String> ids = client.models().list().items().stream().map(Model::id).toList();
    Model one = client.models().retrieve("gpt-test");

    assertTrue(ids.containsAll(List.of("claude-test", "gpt-test")), ids.toString());
    assertEquals("gpt-test", one.id());
    assertThrows(NotFoundException.class, () -> client.models().retrieve("no-such-model"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void answersAMultiTurnConversationWithASystemPrompt(String model) {
    ChatCompletion completion = client.chat().completions().create(conversation(model).build());

    ChatCompletion.Choice choice = completion.choices().get(0);
    assertEquals("echo: " + LAST_QUESTION, choice.message().content().orElseThrow());
    assertEquals(ChatCompletion.Choice.FinishReason.STOP, choice.finishReason());
    assertEquals(model, completion.model());
    assertTrue(completion.id().startsWith("chatcmpl-"), completion.id());
    CompletionUsage usage = completion.usage().orElseThrow();
    assertTrue(usage.promptTokens() > 0, "prompt_tokens " + usage.promptTokens());
    assertTrue(usage.completionTokens() > 0, "completion_tokens " + usage.completionTokens());
    assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
    assertTrue(cachedTokens(usage) <= usage.promptTokens());

    JsonObject upstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    if (isAnthropic(model)) {
      assertEquals(SYSTEM, textOf(upstream.getValue("system")));
      assertEquals(List.of("user", "assistant", "user"), roles(upstream.getJsonArray("messages")));
      assertTrue(upstream.getValue("max_tokens") instanceof Number, "max_tokens must be set: " + upstream.encode());
      assertTrue(upstream.getInteger("max_tokens") >= 1);
    } else {
      assertEquals(List.of("system", "user", "assistant", "user"), roles(upstream.getJsonArray("messages")));
      assertEquals(SYSTEM, textOf(upstream.getJsonArray("messages").getJsonObject(0).getValue("content")));
    }
    assertEquals(1, fake.requestCount());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void reportsCachedTokensInsidePromptTokens(String model) {
    fake.enqueue(Reply.text("cached answer").usage(10, 5, 1200, 300));

    ChatCompletion completion = client.chat().completions().create(conversation(model).build());

    assertEquals("cached answer", completion.choices().get(0).message().content().orElseThrow());
    CompletionUsage usage = completion.usage().orElseThrow();
    assertEquals(1510, usage.promptTokens(), "prompt_tokens counts uncached, cache-read and cache-write tokens");
    assertEquals(1200, cachedTokens(usage));
    assertEquals(5, usage.completionTokens());
    assertEquals(1515, usage.totalTokens());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void streamsTheAnswerWithUsageInTheLastChunk(String model) {
    ChatCompletionCreateParams params = conversation(model)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();

    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(chunks::add);
    }

    String text = chunks.stream().flatMap(chunk -> chunk.choices().stream())
        .map(choice -> choice.delta().content().orElse(""))
        .collect(Collectors.joining());
    assertEquals("echo: " + LAST_QUESTION, text);
    List<ChatCompletionChunk.Choice.FinishReason> finishReasons = chunks.stream()
        .flatMap(chunk -> chunk.choices().stream())
        .flatMap(choice -> choice.finishReason().stream())
        .collect(Collectors.toList());
    assertEquals(List.of(ChatCompletionChunk.Choice.FinishReason.STOP), finishReasons);
    assertTrue(chunks.stream().allMatch(chunk -> chunk.id().equals(chunks.get(0).id())), "one id for all chunks");
    assertTrue(chunks.stream().allMatch(chunk -> chunk.model().equals(model)));

    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertTrue(last.choices().isEmpty(), "the usage chunk has no choices");
    CompletionUsage usage = last.usage().orElseThrow();
    assertTrue(usage.promptTokens() > 0);
    assertTrue(usage.completionTokens() > 0);
    assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
    assertTrue(cachedTokens(usage) <= usage.promptTokens());
    assertTrue(chunks.subList(0, chunks.size() - 1).stream().allMatch(chunk -> chunk.usage().isEmpty()),
        "only the last chunk carries usage");

    JsonObject upstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    assertEquals(Boolean.TRUE, upstream.getValue("stream"));
    if (isAnthropic(model)) {
      assertFalse(upstream.containsKey("stream_options"), "Anthropic has no stream_options");
      assertEquals(SYSTEM, textOf(upstream.getValue("system")));
    } else {
      assertEquals(Boolean.TRUE, upstream.getJsonObject("stream_options").getValue("include_usage"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void callsAToolAndAcceptsTheToolResult(String model) {
    fake.enqueue(Reply.toolCall("get_weather", WEATHER_ARGS), Reply.text("Sunny, 18 degrees."));
    ChatCompletionCreateParams first = weatherQuestion(model).build();

    ChatCompletion completion = client.chat().completions().create(first);

    ChatCompletion.Choice choice = completion.choices().get(0);
    assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
    List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
    assertEquals(1, calls.size());
    ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
    assertEquals("get_weather", call.function().name());
    assertEquals(WEATHER_ARGS, call.function().arguments());
    assertFalse(call.id().isEmpty());

    JsonObject firstUpstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    JsonObject tool = firstUpstream.getJsonArray("tools").getJsonObject(0);
    if (isAnthropic(model)) {
      assertEquals("get_weather", tool.getString("name"));
      assertEquals("Current weather of a city", tool.getString("description"));
      assertEquals("object", tool.getJsonObject("input_schema").getString("type"));
      assertEquals("string", tool.getJsonObject("input_schema").getJsonObject("properties").getJsonObject("city")
          .getString("type"));
      assertEquals(SYSTEM, textOf(firstUpstream.getValue("system")));
      assertTrue(firstUpstream.getInteger("max_tokens") >= 1);
    } else {
      assertEquals("function", tool.getString("type"));
      assertEquals("get_weather", tool.getJsonObject("function").getString("name"));
      assertEquals("string", tool.getJsonObject("function").getJsonObject("parameters").getJsonObject("properties")
          .getJsonObject("city").getString("type"));
    }

    ChatCompletionCreateParams followUp = first.toBuilder()
        .addMessage(choice.message())
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(call.id()).content("18C and sunny").build())
        .build();
    ChatCompletion answer = client.chat().completions().create(followUp);

    assertEquals("Sunny, 18 degrees.", answer.choices().get(0).message().content().orElseThrow());
    assertEquals(ChatCompletion.Choice.FinishReason.STOP, answer.choices().get(0).finishReason());
    assertEquals(2, fake.requestCount());
    JsonObject secondUpstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    JsonArray messages = secondUpstream.getJsonArray("messages");
    if (isAnthropic(model)) {
      assertEquals(List.of("user", "assistant", "user"), roles(messages));
      JsonObject toolUse = onlyBlockOfType(messages.getJsonObject(1), "tool_use");
      assertEquals(call.id(), toolUse.getString("id"));
      assertEquals("get_weather", toolUse.getString("name"));
      assertEquals(new JsonObject().put("city", "Paris"), toolUse.getJsonObject("input"));
      JsonObject toolResult = onlyBlockOfType(messages.getJsonObject(2), "tool_result");
      assertEquals(call.id(), toolResult.getString("tool_use_id"));
      assertEquals("18C and sunny", textOf(toolResult.getValue("content")));
    } else {
      assertEquals(List.of("system", "user", "assistant", "tool"), roles(messages));
      JsonObject assistantCall = messages.getJsonObject(2).getJsonArray("tool_calls").getJsonObject(0);
      assertEquals(call.id(), assistantCall.getString("id"));
      assertEquals(WEATHER_ARGS, assistantCall.getJsonObject("function").getString("arguments"));
      assertEquals(call.id(), messages.getJsonObject(3).getString("tool_call_id"));
      assertEquals("18C and sunny", textOf(messages.getJsonObject(3).getValue("content")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void streamsAToolCallWhoseArgumentsAccumulateToTheScriptedJson(String model) {
    fake.enqueue(Reply.toolCall("get_weather", WEATHER_ARGS));
    ChatCompletionCreateParams params = weatherQuestion(model)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();

    ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
      stream.stream().forEach(accumulator::accumulate);
    }

    ChatCompletion completion = accumulator.chatCompletion();
    ChatCompletion.Choice choice = completion.choices().get(0);
    assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
    List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
    assertEquals(1, calls.size());
    ChatCompletionMessageFunctionToolCall call = calls.get(0).asFunction();
    assertEquals("get_weather", call.function().name());
    assertEquals(WEATHER_ARGS, call.function().arguments());
    assertFalse(call.id().isEmpty());
    assertTrue(completion.usage().orElseThrow().completionTokens() > 0);
    assertEquals(Boolean.TRUE, fake.lastRequest().json().getValue("stream"));
    assertReachedUpstreamOf(model, fake.lastRequest());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void surfacesAnUpstreamBadRequestAsBadRequestException(String model) {
    fake.enqueue(Reply.error(400, "invalid_request_error", "bad thing"));

    BadRequestException error = assertThrows(BadRequestException.class,
        () -> client.chat().completions().create(conversation(model).build()));

    assertEquals(400, error.statusCode());
    assertTrue(error.getMessage().contains("bad thing"), error.getMessage());
    assertEquals(1, fake.requestCount());
    assertReachedUpstreamOf(model, fake.lastRequest());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void surfacesAnUpstreamBadRequestOnAStreamBeforeAnyChunk(String model) {
    fake.enqueue(Reply.error(400, "invalid_request_error", "bad thing"));
    ChatCompletionCreateParams params = conversation(model)
        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
        .build();

    BadRequestException error = assertThrows(BadRequestException.class, () -> {
      try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
        stream.stream().forEach(chunk -> { });
      }
    });

    assertEquals(400, error.statusCode());
    assertTrue(error.getMessage().contains("bad thing"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpt-test", "claude-test"})
  void surfacesAnUpstreamRateLimitAsRateLimitExceptionWithRetryAfter(String model) {
    fake.enqueue(Reply.error(429, "rate_limit_error", "slow down").header("retry-after", "7"));

    RateLimitException error = assertThrows(RateLimitException.class,
        () -> client.chat().completions().create(conversation(model).build()));

    assertEquals(429, error.statusCode());
    assertEquals(List.of("7"), error.headers().values("retry-after"));
    assertEquals(1, fake.requestCount());
  }

  private static ChatCompletionCreateParams.Builder conversation(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage(SYSTEM)
        .addUserMessage("What is the capital of France?")
        .addAssistantMessage("Paris.")
        .addUserMessage(LAST_QUESTION);
  }

  private static ChatCompletionCreateParams.Builder weatherQuestion(String model) {
    return ChatCompletionCreateParams.builder()
        .model(model)
        .addSystemMessage(SYSTEM)
        .addUserMessage("What's the weather in Paris?")
        .addTool(ChatCompletionFunctionTool.builder()
            .function(FunctionDefinition.builder()
                .name("get_weather")
                .description("Current weather of a city")
                .parameters(FunctionParameters.builder()
                    .putAdditionalProperty("type", JsonValue.from("object"))
                    .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                    .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                    .build())
                .build())
            .build());
  }

  private static long cachedTokens(CompletionUsage usage) {
    return usage.promptTokensDetails().flatMap(CompletionUsage.PromptTokensDetails::cachedTokens).orElse(0L);
  }
}
