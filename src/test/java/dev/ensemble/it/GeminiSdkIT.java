package dev.ensemble.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ClientException;
import com.google.genai.types.Content;
import com.google.genai.types.CountTokensResponse;
import com.google.genai.types.FinishReason;
import com.google.genai.types.FunctionCall;
import com.google.genai.types.FunctionDeclaration;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.GenerateContentResponseUsageMetadata;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.Part;
import com.google.genai.types.Schema;
import com.google.genai.types.ThinkingConfig;
import com.google.genai.types.Tool;
import com.google.genai.types.Type;
import dev.ensemble.testing.fake.FakeGemini;
import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstream;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonObject;
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
 * The official Google GenAI Java SDK ({@code com.google.genai:google-genai} 2.3.0), unchanged but for its base
 * URL and API key (the gateway key, sent as {@code x-goog-api-key}), against the gateway's
 * {@code /v1beta/models/{model}:generateContent} and {@code :streamGenerateContent?alt=sse} for models served by
 * OpenAI-, Anthropic- and Gemini-format upstreams: text with a system instruction and usage, streaming, a
 * function-calling round trip, {@code countTokens}, and errors as the SDK's exceptions. An unknown key (an anonymous caller here, a 401
 * where client keys are required) is {@link ShippedConfigSdkIT}'s.
 */
class GeminiSdkIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> ThreeUpstreams.config(f, gemini));

  static final List<String> MODELS = ThreeUpstreams.MODELS;
  private static final String SYSTEM = "You are a terse assistant.";

  private static Client client;

  @BeforeAll
  static void connect() {
    client = Client.builder().apiKey(UpstreamChecks.clientKey(gateway))
        .httpOptions(HttpOptions.builder().baseUrl(gateway.baseUrl()).build()).build();
  }

  @AfterAll
  static void disconnect() {
    client.close();
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void generatesContentWithASystemInstructionAndUsage(String model) {
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.text("Rome.").usage(10, 5, 1200, 0));

    GenerateContentResponse response = client.models.generateContent(model, "What is the capital of Italy?",
        GenerateContentConfig.builder().systemInstruction(Content.fromParts(Part.fromText(SYSTEM))).maxOutputTokens(256).build());

    assertEquals("Rome.", response.text());
    assertEquals(FinishReason.Known.STOP, response.finishReason().knownEnum());
    GenerateContentResponseUsageMetadata usage = response.usageMetadata().orElseThrow();
    assertEquals(1210, usage.promptTokenCount().orElseThrow(), "promptTokenCount includes the cached tokens");
    assertEquals(1200, usage.cachedContentTokenCount().orElseThrow());
    assertEquals(5, usage.candidatesTokenCount().orElseThrow());
    assertEquals(1215, usage.totalTokenCount().orElseThrow());
    assertEquals(model, response.modelVersion().orElseThrow());
    RecordedRequest upstream = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model);
    assertEquals("What is the capital of Italy?", ThreeUpstreams.lastUserText(upstream, model));
    assertTrue(upstream.bodyText().contains(SYSTEM), "the system instruction reaches the upstream: " + upstream.bodyText());
    assertTrue(upstream.bodyText().contains("256"), "maxOutputTokens reaches the upstream: " + upstream.bodyText());
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void streamsChunksEndingWithTheFinishReasonAndUsage(String model) {
    List<GenerateContentResponse> chunks = new ArrayList<>();
    try (ResponseStream<GenerateContentResponse> stream = client.models.generateContentStream(model, "What is the capital of France?",
        GenerateContentConfig.builder().systemInstruction(Content.fromParts(Part.fromText(SYSTEM))).build())) {
      stream.forEach(chunks::add);
    }

    String text = chunks.stream().map(GenerateContentResponse::text).filter(t -> t != null).collect(Collectors.joining());
    assertEquals("echo: What is the capital of France?", text);
    assertTrue(chunks.size() > 2, "the answer arrives in several chunks: " + chunks.size());
    GenerateContentResponse last = chunks.get(chunks.size() - 1);
    assertEquals(FinishReason.Known.STOP, last.finishReason().knownEnum());
    assertTrue(last.usageMetadata().orElseThrow().candidatesTokenCount().orElseThrow() > 0);
    RecordedRequest upstream = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model);
    if (model.startsWith("gemini")) {
      assertTrue(upstream.path().endsWith(":streamGenerateContent"), upstream.path());
    } else {
      assertEquals(Boolean.TRUE, upstream.json().getValue("stream"));
    }
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void callsAFunctionAndTakesItsResponseBack(String model) {
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.toolCall("get_weather", "{\"city\":\"Paris\"}"), Reply.text("Sunny, 18 degrees."));
    GenerateContentConfig config = GenerateContentConfig.builder().systemInstruction(Content.fromParts(Part.fromText(SYSTEM)))
        .tools(Tool.builder().functionDeclarations(FunctionDeclaration.builder().name("get_weather").description("Current weather of a city")
            .parameters(Schema.builder().type(Type.Known.OBJECT).properties(Map.of("city", Schema.builder().type(Type.Known.STRING).build()))
                .required("city").build()).build()).build())
        .build();
    Content question = Content.builder().role("user").parts(Part.fromText("What's the weather in Paris?")).build();

    GenerateContentResponse calling = client.models.generateContent(model, List.of(question), config);

    List<FunctionCall> calls = calling.functionCalls();
    assertEquals(1, calls.size());
    assertEquals("get_weather", calls.get(0).name().orElseThrow());
    assertEquals(Map.of("city", "Paris"), calls.get(0).args().orElseThrow());
    JsonObject declared = declaredTool(ThreeUpstreams.lastUpstreamRequest(fake, gemini, model), model);
    assertEquals("get_weather", declared.getString("name"));
    assertTrue(declared.encode().toLowerCase().contains("\"string\""), "the parameter schema reaches the upstream: " + declared.encode());

    Content modelTurn = calling.candidates().orElseThrow().get(0).content().orElseThrow();
    Content functionTurn = Content.builder().role("user")
        .parts(Part.fromFunctionResponse("get_weather", Map.of("temperature", "18C", "sky", "sunny"))).build();
    GenerateContentResponse answer = client.models.generateContent(model, List.of(question, modelTurn, functionTurn), config);

    assertEquals("Sunny, 18 degrees.", answer.text());
    String upstreamBody = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model).bodyText();
    assertTrue(upstreamBody.contains("18C"), "the function response reaches the upstream: " + upstreamBody);
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void streamsAFunctionCallWhole(String model) {
    ThreeUpstreams.enqueue(fake, gemini, model, Reply.toolCall("get_weather", "{\"city\":\"Paris\"}"));
    GenerateContentConfig config = GenerateContentConfig.builder()
        .tools(Tool.builder().functionDeclarations(FunctionDeclaration.builder().name("get_weather")
            .parameters(Schema.builder().type(Type.Known.OBJECT).properties(Map.of("city", Schema.builder().type(Type.Known.STRING).build()))
                .build()).build()).build())
        .build();

    List<FunctionCall> calls = new ArrayList<>();
    try (ResponseStream<GenerateContentResponse> stream = client.models.generateContentStream(model, "Weather in Paris?", config)) {
      stream.forEach(chunk -> {
        List<FunctionCall> some = chunk.functionCalls();
        if (some != null) {
          calls.addAll(some);
        }
      });
    }

    assertEquals(1, calls.size());
    assertEquals("get_weather", calls.get(0).name().orElseThrow());
    assertEquals(Map.of("city", "Paris"), calls.get(0).args().orElseThrow());
  }

  /**
   * {@code thinkingConfig} reaches each upstream as its own setting (Gemini's thinkingConfig, Anthropic's thinking
   * budget, OpenAI's reasoning effort), and thought parts come back only to a client that set {@code includeThoughts}.
   */
  @ParameterizedTest
  @FieldSource("MODELS")
  void thinkingReachesTheUpstreamAndThoughtsShowOnlyWhenAskedFor(String model) {
    Reply thinking = Reply.text("42.").thinking("Six times seven.", "c2lnbmF0dXJl");
    ThreeUpstreams.enqueue(fake, gemini, model, thinking, thinking);

    GenerateContentResponse shown = client.models.generateContent(model, "What is 6 x 7?", GenerateContentConfig.builder()
        .thinkingConfig(ThinkingConfig.builder().thinkingBudget(2048).includeThoughts(true).build()).build());

    JsonObject upstream = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model).json();
    if (model.startsWith("gemini")) {
      assertEquals(new JsonObject().put("thinkingBudget", 2048).put("includeThoughts", true),
          upstream.getJsonObject("generationConfig").getJsonObject("thinkingConfig"));
    } else if (model.startsWith("claude")) {
      assertEquals(new JsonObject().put("type", "enabled").put("budget_tokens", 2048), upstream.getJsonObject("thinking"));
    } else {
      assertEquals("low", upstream.getString("reasoning_effort"));
    }
    List<Part> parts = shown.candidates().orElseThrow().get(0).content().orElseThrow().parts().orElseThrow();
    if (!model.startsWith("gpt")) {
      assertTrue(parts.stream().anyMatch(p -> p.thought().orElse(false) && "Six times seven.".equals(p.text().orElse(null))),
          "the thought part is shown: " + parts);
    }

    GenerateContentResponse hidden = client.models.generateContent(model, "What is 6 x 7?", GenerateContentConfig.builder()
        .thinkingConfig(ThinkingConfig.builder().thinkingBudget(2048).build()).build());

    List<Part> hiddenParts = hidden.candidates().orElseThrow().get(0).content().orElseThrow().parts().orElseThrow();
    assertTrue(hiddenParts.stream().noneMatch(p -> p.thought().orElse(false)), "no thought part without includeThoughts: " + hiddenParts);
    assertEquals("42.", hidden.text());
  }

  @ParameterizedTest
  @FieldSource("MODELS")
  void aZeroThinkingBudgetTurnsThinkingOff(String model) {
    client.models.generateContent(model, "Quick: 2 + 2?", GenerateContentConfig.builder()
        .thinkingConfig(ThinkingConfig.builder().thinkingBudget(0).build()).build());

    JsonObject upstream = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model).json();
    if (model.startsWith("gemini")) {
      assertEquals(new JsonObject().put("thinkingBudget", 0), upstream.getJsonObject("generationConfig").getJsonObject("thinkingConfig"));
    } else {
      assertFalse(upstream.containsKey("thinking") || upstream.containsKey("reasoning_effort"), upstream.encode());
    }
  }

  /**
   * {@code countTokens}: Gemini's own count for a Gemini upstream, Anthropic's {@code count_tokens} for Claude, the
   * gateway's estimate (a quarter of the characters, no upstream call) for an OpenAI-format upstream.
   */
  @ParameterizedTest
  @FieldSource("MODELS")
  void countsThePromptsTokensWhereTheUpstreamCounts(String model) {
    int before = ThreeUpstreams.upstreamRequests(fake, gemini, model);

    CountTokensResponse count = client.models.countTokens(model, "What is the capital of Italy? Answer in one word.", null);

    int total = count.totalTokens().orElseThrow();
    if (model.startsWith("gpt")) {
      assertEquals(before, ThreeUpstreams.upstreamRequests(fake, gemini, model), "an estimate asks no upstream");
      assertEquals((49 + 3) / 4, total, "the gateway's estimate: four characters a token");
      return;
    }
    if (model.startsWith("gemini")) {
      RecordedRequest upstream = ThreeUpstreams.lastUpstreamRequest(fake, gemini, model);
      assertTrue(upstream.path().endsWith(":countTokens"), upstream.path());
      JsonObject generate = upstream.json().getJsonObject("generateContentRequest");
      assertEquals("models/gemini-2.5-flash", generate.remove("model"));
      assertEquals(FakeGemini.countedTokens(generate), total);
    } else {
      RecordedRequest upstream = fake.lastRequest();
      UpstreamChecks.assertClientKeyNotForwarded(upstream);
      assertEquals(GatewayExtension.ANTHROPIC_KEY, upstream.header("x-api-key"));
      assertEquals("/v1/messages/count_tokens", upstream.path());
      assertEquals(FakeUpstream.anthropicCountedTokens(upstream.json()), total);
    }
  }

  @Test
  void anUpstreamBadRequestIsAClientExceptionWithGooglesStatus() {
    fake.enqueue(Reply.error(400, "invalid_request_error", "bad thing"));

    ClientException error = assertThrows(ClientException.class, () -> client.models.generateContent("gpt-test", "Hello", null));

    assertEquals(400, error.code());
    assertEquals("INVALID_ARGUMENT", error.status());
    assertTrue(error.message().contains("bad thing"), error.message());
  }

  private static JsonObject declaredTool(RecordedRequest request, String model) {
    JsonObject tool = request.json().getJsonArray("tools").getJsonObject(0);
    if (model.startsWith("gemini")) {
      return tool.getJsonArray("functionDeclarations").getJsonObject(0);
    }
    return model.startsWith("gpt") ? tool.getJsonObject("function") : tool;
  }
}
