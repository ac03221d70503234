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

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.BadRequestException;
import com.anthropic.errors.NotFoundException;
import com.anthropic.errors.RateLimitException;
import com.anthropic.errors.ServiceUnavailableException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageContentParam;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageDeltaUsage;
import com.anthropic.models.messages.MessageTokensCount;
import com.anthropic.models.messages.RawMessageDeltaEvent;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ThinkingBlock;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.Usage;
import com.anthropic.models.models.ModelInfo;
import dev.ensemble.testing.fake.FakeUpstream;
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
 * The official Anthropic Java SDK (anthropic-java 3.12.0), unchanged, talking to the gateway's
 * {@code /v1/messages}, for a model served by an Anthropic-format upstream ({@code claude-test}) and by an
 * OpenAI-format upstream ({@code gpt-test}).
 */
class AnthropicSdkIT {

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
  private static final JsonValue WEATHER_INPUT = JsonValue.from(Map.of("city", "Paris"));

  private static AnthropicClient client;

  @BeforeAll
  static void connect() {
    client = AnthropicOkHttpClient.builder()
        .baseUrl(gateway.baseUrl())
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

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void countsTheTokensOfAMessageRequest(String model) {
    int before = fake.requestCount();

    MessageTokensCount count = client.messages().countTokens(MessageCountTokensParams.builder()
        .model(model).system(SYSTEM).addUserMessage(LAST_QUESTION).build());

    if (isAnthropic(model)) {
      assertEquals("/v1/messages/count_tokens", fake.lastRequest().path());
      assertEquals(FakeUpstream.anthropicCountedTokens(fake.lastRequest().json()), count.inputTokens(), "Anthropic's own count");
    } else {
      assertEquals(before, fake.requestCount(), "an OpenAI-format upstream has no count call: the gateway estimates");
      assertTrue(count.inputTokens() > 0, count.toString());
    }
  }

  @Test
  void listsAndRetrievesTheCatalogsModels() {
    List<String> ids = client.models().list().items().stream().map(ModelInfo::id).toList();
    ModelInfo one = client.models().retrieve("claude-test");

    assertTrue(ids.containsAll(List.of("claude-test", "gpt-test")), ids.toString());
    assertEquals("claude-test", one.id());
    assertThrows(NotFoundException.class, () -> client.models().retrieve("no-such-model"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void createsAMessageFromASystemPromptAndMultiTurnHistory(String model) {
    Message message = client.messages().create(conversation(model).build());

    assertEquals(List.of("echo: " + LAST_QUESTION), texts(message));
    assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
    assertEquals(model, message.model().asString());
    assertTrue(message.id().startsWith("msg_"), message.id());
    Usage usage = message.usage();
    assertTrue(usage.inputTokens() + usage.cacheReadInputTokens().orElse(0L)
        + usage.cacheCreationInputTokens().orElse(0L) > 0, usage.toString());
    assertTrue(usage.outputTokens() > 0);

    JsonObject upstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    JsonArray messages = upstream.getJsonArray("messages");
    if (isAnthropic(model)) {
      assertEquals(SYSTEM, textOf(upstream.getValue("system")));
      assertEquals(List.of("user", "assistant", "user"), roles(messages));
      assertEquals(1024, upstream.getInteger("max_tokens"));
    } else {
      assertEquals(List.of("system", "user", "assistant", "user"), roles(messages));
      assertEquals(SYSTEM, textOf(messages.getJsonObject(0).getValue("content")));
      assertEquals(1024, upstream.getInteger("max_completion_tokens"));
    }
    assertEquals(1, fake.requestCount());
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void reportsUncachedInputApartFromCacheReads(String model) {
    fake.enqueue(Reply.text("cached answer").usage(10, 5, 1200, 300));

    Message message = client.messages().create(conversation(model).build());

    Usage usage = message.usage();
    long read = usage.cacheReadInputTokens().orElse(0L);
    long written = usage.cacheCreationInputTokens().orElse(0L);
    assertEquals(1200, read);
    assertEquals(1510, usage.inputTokens() + read + written, "the whole prompt is input + cache read + cache write");
    assertEquals(isAnthropic(model) ? 10 : 310, usage.inputTokens(),
        "OpenAI does not report cache writes, so they stay in input_tokens");
    assertEquals(5, usage.outputTokens());
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void streamsTextDeltasBetweenMessageStartAndMessageStop(String model) {
    List<RawMessageStreamEvent> events = stream(conversation(model).build());

    assertTrue(events.get(0).isMessageStart(), "first event: " + events.get(0));
    assertTrue(events.get(events.size() - 1).isMessageStop(), "last event: " + events.get(events.size() - 1));
    Message start = events.get(0).asMessageStart().message();
    assertTrue(start.id().startsWith("msg_"));
    assertEquals(model, start.model().asString());
    String text = events.stream().filter(RawMessageStreamEvent::isContentBlockDelta)
        .map(event -> event.asContentBlockDelta().delta())
        .filter(delta -> delta.isText())
        .map(delta -> delta.asText().text())
        .collect(Collectors.joining());
    assertEquals("echo: " + LAST_QUESTION, text);

    List<RawMessageDeltaEvent> deltas = events.stream().filter(RawMessageStreamEvent::isMessageDelta)
        .map(RawMessageStreamEvent::asMessageDelta).collect(Collectors.toList());
    assertEquals(1, deltas.size());
    assertEquals(StopReason.END_TURN, deltas.get(0).delta().stopReason().orElseThrow());
    MessageDeltaUsage finalUsage = deltas.get(0).usage();
    assertTrue(finalUsage.outputTokens() > 0);
    long input = finalUsage.inputTokens().orElse(start.usage().inputTokens());
    assertTrue(input > 0, "input tokens must be reported in message_start or message_delta");

    MessageAccumulator accumulator = MessageAccumulator.create();
    events.forEach(accumulator::accumulate);
    Message message = accumulator.message();
    assertEquals(List.of("echo: " + LAST_QUESTION), texts(message));
    assertEquals(input, message.usage().inputTokens());
    assertEquals(finalUsage.outputTokens(), message.usage().outputTokens());

    JsonObject upstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    assertEquals(Boolean.TRUE, upstream.getValue("stream"));
    if (isAnthropic(model)) {
      assertFalse(upstream.containsKey("stream_options"));
      assertEquals(SYSTEM, textOf(upstream.getValue("system")));
    } else {
      assertEquals(Boolean.TRUE, upstream.getJsonObject("stream_options").getValue("include_usage"),
          "without include_usage an OpenAI stream reports no usage at all");
      assertEquals("system", upstream.getJsonArray("messages").getJsonObject(0).getString("role"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void usesAToolAndAcceptsTheToolResult(String model) {
    fake.enqueue(Reply.toolCall("get_weather", WEATHER_ARGS), Reply.text("Sunny, 18 degrees."));
    MessageCreateParams first = weatherQuestion(model).build();

    Message message = client.messages().create(first);

    assertEquals(StopReason.TOOL_USE, message.stopReason().orElseThrow());
    ToolUseBlock toolUse = onlyToolUse(message);
    assertEquals("get_weather", toolUse.name());
    assertEquals(WEATHER_INPUT, toolUse._input());
    assertFalse(toolUse.id().isEmpty());

    JsonObject firstUpstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    JsonObject tool = firstUpstream.getJsonArray("tools").getJsonObject(0);
    if (isAnthropic(model)) {
      assertEquals("get_weather", tool.getString("name"));
      assertEquals("object", tool.getJsonObject("input_schema").getString("type"));
    } else {
      assertEquals("function", tool.getString("type"));
      JsonObject function = tool.getJsonObject("function");
      assertEquals("get_weather", function.getString("name"));
      assertEquals("Current weather of a city", function.getString("description"));
      assertEquals("object", function.getJsonObject("parameters").getString("type"));
      assertEquals("string", function.getJsonObject("parameters").getJsonObject("properties").getJsonObject("city")
          .getString("type"));
    }

    Message answer = client.messages().create(withToolResult(first, message, toolUse.id()));

    assertEquals(List.of("Sunny, 18 degrees."), texts(answer));
    assertEquals(StopReason.END_TURN, answer.stopReason().orElseThrow());
    assertEquals(2, fake.requestCount());
    JsonObject secondUpstream = fake.lastRequest().json();
    assertReachedUpstreamOf(model, fake.lastRequest());
    JsonArray messages = secondUpstream.getJsonArray("messages");
    if (isAnthropic(model)) {
      assertEquals(List.of("user", "assistant", "user"), roles(messages));
      JsonObject sentToolUse = onlyBlockOfType(messages.getJsonObject(1), "tool_use");
      assertEquals(toolUse.id(), sentToolUse.getString("id"));
      assertEquals(new JsonObject().put("city", "Paris"), sentToolUse.getJsonObject("input"));
      JsonObject toolResult = onlyBlockOfType(messages.getJsonObject(2), "tool_result");
      assertEquals(toolUse.id(), toolResult.getString("tool_use_id"));
      assertEquals("18C and sunny", textOf(toolResult.getValue("content")));
    } else {
      assertEquals(List.of("system", "user", "assistant", "tool"), roles(messages));
      JsonObject call = messages.getJsonObject(2).getJsonArray("tool_calls").getJsonObject(0);
      assertEquals(toolUse.id(), call.getString("id"));
      assertEquals("function", call.getString("type"));
      assertEquals("get_weather", call.getJsonObject("function").getString("name"));
      assertEquals(new JsonObject().put("city", "Paris"),
          new JsonObject(call.getJsonObject("function").getString("arguments")));
      JsonObject toolMessage = messages.getJsonObject(3);
      assertEquals(toolUse.id(), toolMessage.getString("tool_call_id"));
      assertEquals("18C and sunny", textOf(toolMessage.getValue("content")));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void streamsAToolUseWhoseInputJsonDeltasAddUpToTheScriptedInput(String model) {
    fake.enqueue(Reply.toolCall("get_weather", WEATHER_ARGS));

    List<RawMessageStreamEvent> events = stream(weatherQuestion(model).build());

    RawMessageStreamEvent blockStart = events.stream().filter(RawMessageStreamEvent::isContentBlockStart)
        .findFirst().orElseThrow();
    assertTrue(blockStart.asContentBlockStart().contentBlock().isToolUse());
    assertEquals("get_weather", blockStart.asContentBlockStart().contentBlock().asToolUse().name());
    String partialJson = events.stream().filter(RawMessageStreamEvent::isContentBlockDelta)
        .map(event -> event.asContentBlockDelta().delta())
        .filter(delta -> delta.isInputJson())
        .map(delta -> delta.asInputJson().partialJson())
        .collect(Collectors.joining());
    assertEquals(WEATHER_ARGS, partialJson);

    MessageAccumulator accumulator = MessageAccumulator.create();
    events.forEach(accumulator::accumulate);
    Message message = accumulator.message();
    assertEquals(StopReason.TOOL_USE, message.stopReason().orElseThrow());
    ToolUseBlock toolUse = onlyToolUse(message);
    assertEquals("get_weather", toolUse.name());
    assertEquals(WEATHER_INPUT, toolUse._input());
    assertEquals(Boolean.TRUE, fake.lastRequest().json().getValue("stream"));
    assertReachedUpstreamOf(model, fake.lastRequest());
  }

  @Test
  void passesThinkingBlocksAndTheirSignaturesBothWays() {
    fake.enqueue(Reply.toolCall("get_weather", WEATHER_ARGS).thinking("The user wants the weather.", "sig-abc"),
        Reply.text("Sunny, 18 degrees."));
    MessageCreateParams first = weatherQuestion("claude-test").maxTokens(4096).enabledThinking(2048).build();

    Message message = client.messages().create(first);

    ContentBlock leading = message.content().get(0);
    ThinkingBlock thinking = leading.thinking().orElseThrow();
    assertEquals("The user wants the weather.", thinking.thinking());
    assertEquals("sig-abc", thinking.signature());
    ToolUseBlock toolUse = onlyToolUse(message);
    JsonObject thinkingConfig = fake.lastRequest().json().getJsonObject("thinking");
    assertEquals("enabled", thinkingConfig.getString("type"));
    assertEquals(2048, thinkingConfig.getInteger("budget_tokens"));

    Message answer = client.messages().create(withToolResult(first, message, toolUse.id()));

    assertEquals(List.of("Sunny, 18 degrees."), texts(answer));
    JsonObject assistant = fake.lastRequest().json().getJsonArray("messages").getJsonObject(1);
    JsonObject sentThinking = assistant.getJsonArray("content").getJsonObject(0);
    assertEquals("thinking", sentThinking.getString("type"));
    assertEquals("The user wants the weather.", sentThinking.getString("thinking"));
    assertEquals("sig-abc", sentThinking.getString("signature"));
  }

  @Test
  void streamsThinkingAndSignatureDeltas() {
    fake.enqueue(Reply.text("Four.").thinking("Two plus two is four.", "sig-xyz"));

    List<RawMessageStreamEvent> events = stream(conversation("claude-test").maxTokens(4096).enabledThinking(2048).build());

    MessageAccumulator accumulator = MessageAccumulator.create();
    events.forEach(accumulator::accumulate);
    Message message = accumulator.message();
    assertEquals(2, message.content().size());
    ThinkingBlock thinking = message.content().get(0).thinking().orElseThrow();
    assertEquals("Two plus two is four.", thinking.thinking());
    assertEquals("sig-xyz", thinking.signature());
    assertEquals(List.of("Four."), texts(message));
    assertEquals(StopReason.END_TURN, message.stopReason().orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void surfacesAnUpstreamBadRequestAsBadRequestException(String model) {
    fake.enqueue(Reply.error(400, "invalid_request_error", "bad thing"));

    BadRequestException error = assertThrows(BadRequestException.class,
        () -> client.messages().create(conversation(model).build()));

    assertEquals(400, error.statusCode());
    assertEquals(ErrorType.INVALID_REQUEST_ERROR, error.errorType().orElseThrow());
    assertTrue(error.getMessage().contains("bad thing"), error.getMessage());
    assertEquals(1, fake.requestCount());
    assertReachedUpstreamOf(model, fake.lastRequest());
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void surfacesAnUpstreamBadRequestOnAStreamBeforeAnyEvent(String model) {
    fake.enqueue(Reply.error(400, "invalid_request_error", "bad thing"));

    BadRequestException error = assertThrows(BadRequestException.class,
        () -> stream(conversation(model).build()));

    assertEquals(400, error.statusCode());
    assertTrue(error.getMessage().contains("bad thing"), error.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void surfacesAnOverloadedUpstreamAsServiceUnavailable(String model) {
    fake.enqueue(Reply.error(isAnthropic(model) ? 529 : 503, "overloaded_error", "Overloaded"));

    ServiceUnavailableException error = assertThrows(ServiceUnavailableException.class,
        () -> client.messages().create(conversation(model).build()));

    assertEquals(503, error.statusCode());
    assertEquals(ErrorType.OVERLOADED_ERROR, error.errorType().orElseThrow());
    assertEquals(1, fake.requestCount());
  }

  @ParameterizedTest
  @ValueSource(strings = {"claude-test", "gpt-test"})
  void surfacesAnUpstreamRateLimitAsRateLimitExceptionWithRetryAfter(String model) {
    fake.enqueue(Reply.error(429, "rate_limit_error", "slow down").header("retry-after", "7"));

    RateLimitException error = assertThrows(RateLimitException.class,
        () -> client.messages().create(conversation(model).build()));

    assertEquals(429, error.statusCode());
    assertEquals(ErrorType.RATE_LIMIT_ERROR, error.errorType().orElseThrow());
    assertEquals(List.of("7"), error.headers().values("retry-after"));
    assertEquals(1, fake.requestCount());
  }

  private static MessageCreateParams.Builder conversation(String model) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(1024)
        .system(SYSTEM)
        .addUserMessage("What is the capital of France?")
        .addAssistantMessage("Paris.")
        .addUserMessage(LAST_QUESTION);
  }

  private static MessageCreateParams.Builder weatherQuestion(String model) {
    return MessageCreateParams.builder()
        .model(model)
        .maxTokens(1024)
        .system(SYSTEM)
        .addUserMessage("What's the weather in Paris?")
        .addTool(Tool.builder()
            .name("get_weather")
            .description("Current weather of a city")
            .inputSchema(Tool.InputSchema.builder()
                .properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .required(List.of("city"))
                .build())
            .build());
  }

  private static MessageCreateParams withToolResult(MessageCreateParams first, Message toolUseMessage, String toolUseId) {
    return first.toBuilder()
        .addMessage(toolUseMessage)
        .addUserMessage(MessageContentParam.ofContentBlockParams(List.of(ContentBlockParam.ofToolResult(
            ToolResultBlockParam.builder().toolUseId(toolUseId).content("18C and sunny").build()))))
        .build();
  }

  private static List<RawMessageStreamEvent> stream(MessageCreateParams params) {
    List<RawMessageStreamEvent> events = new ArrayList<>();
    try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
      stream.stream().forEach(events::add);
    }
    return events;
  }

  private static List<String> texts(Message message) {
    return message.content().stream().flatMap(block -> block.text().stream())
        .map(text -> text.text()).collect(Collectors.toList());
  }

  private static ToolUseBlock onlyToolUse(Message message) {
    List<ToolUseBlock> toolUses = message.content().stream().flatMap(block -> block.toolUse().stream())
        .collect(Collectors.toList());
    assertEquals(1, toolUses.size(), message.toString());
    return toolUses.get(0);
  }
}
