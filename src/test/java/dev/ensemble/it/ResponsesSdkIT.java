package dev.ensemble.it;

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
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.responses.CustomTool;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.ResponseCustomToolCall;
import com.openai.models.responses.ResponseIncludable;
import com.openai.models.responses.inputitems.InputItemListParams;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;
import com.openai.models.responses.WebSearchTool;
import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The official OpenAI Java SDK's Responses API ({@code client.responses()}), unchanged but for its base URL and
 * key, against the gateway's {@code /v1/responses} for models served by OpenAI-, Anthropic- and Gemini-format
 * upstreams: create, stream (accumulated by the SDK's own {@link ResponseAccumulator}), a function-calling round
 * trip, {@code previous_response_id}, retrieve and delete.
 */
class ResponsesSdkIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> ThreeUpstreams.config(f, gemini));

  static final List<String> MODELS = ThreeUpstreams.MODELS;
  static final List<String> WITHOUT_RESPONSES_API = List.of("claude-test", "gemini-test");
  private static final String INSTRUCTIONS = "You are a terse assistant.";
  private static final String WEATHER_ARGS = "{\"city\":\"Paris\"}";

  private static OpenAIClient client;

  @BeforeAll
  static void connect() {
    client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl()).apiKey(UpstreamChecks.clientKey(gateway))
        .maxRetries(0).timeout(Duration.ofSeconds(20)).build();
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void createsAResponseWithInstructionsAndUsage(String model) {
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.text("Rome.").usage(10, 5, 1200, 0));

    Response response = client.responses().create(ResponseCreateParams.builder().model(model).instructions(INSTRUCTIONS)
        .input("What is the capital of Italy?").metadata(ResponseCreateParams.Metadata.builder()
            .putAdditionalProperty("ticket", JsonValue.from("T-1")).build()).build());

    assertEquals(ResponseStatus.COMPLETED, response.status().orElseThrow());
    assertEquals("Rome.", response.output().get(0).asMessage().content().get(0).asOutputText().text());
    assertEquals(model, response.model().asString());
    assertEquals(INSTRUCTIONS, response.instructions().orElseThrow().asString());
    assertEquals(JsonValue.from("T-1"), response.metadata().orElseThrow()._additionalProperties().get("ticket"));
    ResponseUsage usage = response.usage().orElseThrow();
    assertEquals(1210, usage.inputTokens(), "input_tokens counts uncached and cached tokens");
    assertEquals(1200, usage.inputTokensDetails().cachedTokens());
    assertEquals(5, usage.outputTokens());
    assertEquals(1215, usage.totalTokens());
    RecordedRequest upstream = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model);
    assertEquals("What is the capital of Italy?", ThreeUpstreams.lastUserText(upstream, model));
    assertTrue(upstream.bodyText().contains(INSTRUCTIONS), "the instructions reach the upstream as its system prompt");
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void streamsSemanticEventsThatTheSdkAccumulates(String model) {
    ResponseCreateParams params = ResponseCreateParams.builder().model(model).instructions(INSTRUCTIONS)
        .input("What is the capital of France?").build();

    List<ResponseStreamEvent> events = new ArrayList<>();
    ResponseAccumulator accumulator = ResponseAccumulator.create();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
      stream.stream().forEach(event -> events.add(accumulator.accumulate(event)));
    }

    Response response = accumulator.response();
    assertEquals(ResponseStatus.COMPLETED, response.status().orElseThrow());
    String expected = "echo: What is the capital of France?";
    assertEquals(expected, response.output().get(0).asMessage().content().get(0).asOutputText().text());
    String deltas = events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
        .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining());
    assertEquals(expected, deltas);
    assertTrue(events.get(0).isCreated());
    assertTrue(events.get(1).isInProgress());
    assertTrue(events.get(events.size() - 1).isCompleted());
    assertTrue(response.usage().orElseThrow().outputTokens() > 0);
    assertEquals(Boolean.TRUE, model.startsWith("gemini") ? Boolean.TRUE
        : ThreeUpstreams.lastUpstreamRequest(fake, gemini, model).json().getValue("stream"));
    if (model.startsWith("gemini")) {
      assertTrue(ThreeUpstreams.lastUpstreamRequest(fake, gemini, model).path().endsWith(":streamGenerateContent"));
    }
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void callsAFunctionAndTakesItsOutputBack(String model) {
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.toolCall("get_weather", WEATHER_ARGS), Reply.text("Sunny, 18 degrees."));
    ResponseCreateParams first = weatherQuestion(model).build();

    Response calling = client.responses().create(first);

    ResponseFunctionToolCall call = calling.output().stream().filter(ResponseOutputItem::isFunctionCall)
        .map(ResponseOutputItem::asFunctionCall).findFirst().orElseThrow();
    assertEquals("get_weather", call.name());
    assertEquals(new JsonObject(WEATHER_ARGS), new JsonObject(call.arguments()));
    assertFalse(call.callId().isEmpty());
    JsonObject tool = toolSentUpstream(ThreeUpstreams.lastUpstreamRequest(fake, gemini, model), model);
    assertEquals("get_weather", tool.getString("name"));

    List<ResponseInputItem> history = new ArrayList<>(List.of(userMessage("What's the weather in Paris?")));
    history.add(ResponseInputItem.ofFunctionCall(call));
    history.add(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder().callId(call.callId())
        .output("18C and sunny").build()));
    Response answer = client.responses().create(weatherQuestion(model).inputOfResponse(history).build());

    assertEquals("Sunny, 18 degrees.", answer.output().get(0).asMessage().content().get(0).asOutputText().text());
    String upstreamBody = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model).bodyText();
    assertTrue(upstreamBody.contains("18C and sunny"), "the function output reaches the upstream: " + upstreamBody);
    assertTrue(upstreamBody.contains("get_weather"), upstreamBody);
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void streamsAFunctionCallWhoseArgumentsTheSdkAccumulates(String model) {
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.toolCall("get_weather", WEATHER_ARGS));

    ResponseAccumulator accumulator = ResponseAccumulator.create();
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(weatherQuestion(model).build())) {
      stream.stream().forEach(event -> events.add(accumulator.accumulate(event)));
    }

    ResponseFunctionToolCall call = accumulator.response().output().stream().filter(ResponseOutputItem::isFunctionCall)
        .map(ResponseOutputItem::asFunctionCall).findFirst().orElseThrow();
    assertEquals("get_weather", call.name());
    assertEquals(new JsonObject(WEATHER_ARGS), new JsonObject(call.arguments()));
    String streamedArguments = events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDelta)
        .map(e -> e.asFunctionCallArgumentsDelta().delta()).collect(Collectors.joining());
    assertEquals(new JsonObject(WEATHER_ARGS), new JsonObject(streamedArguments));
    assertEquals(call.arguments(), events.stream().filter(ResponseStreamEvent::isFunctionCallArgumentsDone).findFirst().orElseThrow()
        .asFunctionCallArgumentsDone().arguments());
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void continuesFromAPreviousResponseId(String model) {
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.text("Paris."), Reply.text("About 2.1 million."));
    Response first = client.responses().create(ResponseCreateParams.builder().model(model).instructions(INSTRUCTIONS)
        .input("What is the capital of France?").build());

    Response second = client.responses().create(ResponseCreateParams.builder().model(model).instructions(INSTRUCTIONS)
        .previousResponseId(first.id()).input("And its population?").build());

    assertEquals("About 2.1 million.", second.output().get(0).asMessage().content().get(0).asOutputText().text());
    assertEquals(first.id(), second.previousResponseId().orElseThrow());
    String upstream = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model).bodyText();
    int question = upstream.indexOf("What is the capital of France?");
    int answer = upstream.indexOf("Paris.");
    int followUp = upstream.indexOf("And its population?");
    assertTrue(question >= 0 && answer > question && followUp > answer,
        "the upstream gets the whole conversation in order: " + upstream);
  }

  @Test
  void retrievesAndDeletesAStoredResponse() {
    Response created = client.responses().create(ResponseCreateParams.builder().model("gpt-test").input("Remember me").build());

    Response read = client.responses().retrieve(created.id());
    assertEquals(created.id(), read.id());
    assertEquals("echo: Remember me", read.output().get(0).asMessage().content().get(0).asOutputText().text());

    client.responses().delete(created.id());

    assertThrows(NotFoundException.class, () -> client.responses().retrieve(created.id()));
    assertThrows(NotFoundException.class, () -> client.responses().create(ResponseCreateParams.builder().model("gpt-test")
        .previousResponseId(created.id()).input("again").build()));
  }

  @Test
  void aResponseNotStoredCannotBeContinuedOrRead() {
    Response created = client.responses().create(ResponseCreateParams.builder().model("gpt-test").store(false).input("Forget me").build());

    assertEquals("echo: Forget me", created.output().get(0).asMessage().content().get(0).asOutputText().text());
    assertThrows(NotFoundException.class, () -> client.responses().retrieve(created.id()));
  }

  @ParameterizedTest
  @FieldSource("WITHOUT_RESPONSES_API")
  void refusesABuiltInToolNamingItWhenTheModelHasNoOpenAiTarget(String model) {
    BadRequestException error = assertThrows(BadRequestException.class, () -> client.responses().create(ResponseCreateParams.builder()
        .model(model).input("Search the web").addTool(WebSearchTool.builder().type(WebSearchTool.Type.WEB_SEARCH).build()).build()));

    assertEquals(400, error.statusCode());
    assertEquals("tools[0].type", error.param().orElseThrow());
    assertTrue(error.getMessage().contains("web_search") && error.getMessage().contains(model), error.getMessage());
  }

  @Test
  void aBuiltInToolAndEncryptedReasoningGoToOpenAisResponsesApiAsIs() {
    fake.enqueue(Reply.text("Rome.").reasoningTokens(21));

    Response response = client.responses().create(ResponseCreateParams.builder().model("gpt-test").input("Capital of Italy?")
        .addTool(WebSearchTool.builder().type(WebSearchTool.Type.WEB_SEARCH).build())
        .addInclude(ResponseIncludable.REASONING_ENCRYPTED_CONTENT).store(false).build());

    assertEquals("/v1/responses", fake.lastRequest().path());
    assertEquals("gpt-4o-mini", fake.lastRequest().json().getString("model"));
    List<ResponseOutputItem> output = response.output();
    assertEquals("Capital of Italy?", output.get(0).asWebSearchCall().action().asSearch().query().orElseThrow());
    assertTrue(output.get(1).asReasoning().encryptedContent().orElseThrow().startsWith("fake-enc:"));
    assertEquals("Rome.", output.get(2).asMessage().content().get(0).asOutputText().text());
    assertEquals(21, response.usage().orElseThrow().outputTokensDetails().reasoningTokens());
    assertEquals("gpt-test", response.model().asString());
  }

  @Test
  void streamsABuiltInToolsEventsThatTheSdkAccumulates() {
    fake.enqueue(Reply.text("Sunny all week."));
    ResponseAccumulator accumulator = ResponseAccumulator.create();
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(ResponseCreateParams.builder().model("gpt-test")
        .input("Weather this week?").addTool(WebSearchTool.builder().type(WebSearchTool.Type.WEB_SEARCH).build()).build())) {
      stream.stream().forEach(event -> events.add(accumulator.accumulate(event)));
    }

    assertTrue(events.stream().anyMatch(ResponseStreamEvent::isWebSearchCallSearching));
    Response response = accumulator.response();
    assertTrue(response.output().get(0).isWebSearchCall());
    assertEquals("Sunny all week.", response.output().get(1).asMessage().content().get(0).asOutputText().text());
    assertEquals(response, client.responses().retrieve(response.id()), "the stored response is the streamed one");
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void reportsReasoningTokensFromEveryUpstreamThatCountsThem(String model) {
    String thinking = "Italy's capital has been Rome since 1871, so that is the answer.";
    Reply reply = model.startsWith("gemini") ? Reply.text("Rome.").thinking(thinking, null) : Reply.text("Rome.").reasoningTokens(9);
    ThreeUpstreams.enqueue(fake, gemini, model, reply);

    Response response = client.responses().create(ResponseCreateParams.builder().model(model).input("Capital of Italy?").build());

    long expected = switch (model) {
      case "gpt-test" -> 9;                                   // completion_tokens_details.reasoning_tokens
      case "gemini-test" -> (thinking.length() + 3) / 4;      // thoughtsTokenCount
      default -> 0;                                           // Anthropic does not break thinking out of output_tokens
    };
    ResponseUsage usage = response.usage().orElseThrow();
    assertEquals(expected, usage.outputTokensDetails().reasoningTokens());
    assertTrue(usage.outputTokens() >= expected, "reasoning tokens are part of the output tokens");
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void aCustomToolIsCalledAndItsCallComesBackAsACustomToolCall(String model) {
    String patch = "*** Begin Patch\n*** End Patch";
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.toolCall("apply_patch",
        model.equals("gpt-test") ? patch : new JsonObject().put("input", patch).encode()));

    Response response = client.responses().create(ResponseCreateParams.builder().model(model).input("Fix the bug")
        .addTool(CustomTool.builder().name("apply_patch").description("Apply a patch to the repository").build()).build());

    ResponseCustomToolCall call = response.output().stream().filter(ResponseOutputItem::isCustomToolCall)
        .map(ResponseOutputItem::asCustomToolCall).findFirst().orElseThrow();
    assertEquals("apply_patch", call.name());
    assertEquals(patch, call.input());
    assertEquals(model.equals("gpt-test") ? "/v1/responses" : null,
        model.equals("gpt-test") ? fake.lastRequest().path() : null, "OpenAI takes the custom tool as is");
  }

  @Test
  void listsAResponsesInputItemsPageByPage() {
    List<ResponseInputItem> input = List.of(userMessage("one"), userMessage("two"), userMessage("three"));
    Response created = client.responses().create(ResponseCreateParams.builder().model("claude-test").inputOfResponse(input).build());

    List<String> newestFirst = new ArrayList<>();
    client.responses().inputItems().list(created.id(), InputItemListParams.builder().limit(1).build()).autoPager()
        .forEach(item -> newestFirst.add(item.asResponseInputMessageItem().content().get(0).asInputText().text()));

    assertEquals(List.of("three", "two", "one"), newestFirst);
    assertThrows(NotFoundException.class, () -> client.responses().inputItems().list("resp_unknown"));
  }

  private static ResponseCreateParams.Builder weatherQuestion(String model) {
    return ResponseCreateParams.builder().model(model).instructions(INSTRUCTIONS).input("What's the weather in Paris?")
        .addTool(FunctionTool.builder().name("get_weather").description("Current weather of a city").strict(false)
            .parameters(FunctionTool.Parameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                .build())
            .build());
  }

  private static ResponseInputItem userMessage(String text) {
    return ResponseInputItem.ofEasyInputMessage(EasyInputMessage.builder().role(EasyInputMessage.Role.USER).content(text).build());
  }

  /** The one tool definition the upstream received, whatever its format calls it. */
  private static JsonObject toolSentUpstream(RecordedRequest request, String model) {
    JsonObject tool = request.json().getJsonArray("tools").getJsonObject(0);
    if (model.startsWith("gemini")) {
      return tool.getJsonArray("functionDeclarations").getJsonObject(0);
    }
    return model.startsWith("gpt") ? tool.getJsonObject("function") : tool;
  }
}
