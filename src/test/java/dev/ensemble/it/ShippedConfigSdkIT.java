package dev.ensemble.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.google.genai.Client;
import com.google.genai.ResponseStream;
import com.google.genai.errors.ApiException;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's first hour, with the official SDKs and {@code apiKey("unused")}, against the shipped
 * {@code conf/ensemble.yaml} itself — loaded as {@code ensemble serve --config conf/ensemble.yaml} loads it, with
 * only what a test must change: {@code ENSEMBLE_PORT=0} (a variable the file already expands) for a free port,
 * {@code ENSEMBLE_ADMIN_KEY} (also expanded) to create a client, and the {@code data/} paths moved to scratch
 * directories by {@link GatewayExtension#fromFile}. The file says {@code require_client_keys: false}: a key that
 * is no client's is an anonymous caller, in every place a key is read (OpenAI, Anthropic, Responses API and Gemini
 * routes, the WebSocket), and a client's key is still that client's.
 * A second node runs a copy of the same file that differs only in {@code require_client_keys: true}, where the
 * same unknown key is a 401 in every format.
 */
class ShippedConfigSdkIT {

  private static final Path SHIPPED = Path.of("conf/ensemble.yaml");
  private static final String ADMIN_KEY = "admin-shipped-config-0123456789";
  private static final String MOCK_ANSWER = "Hello from Ensemble's mock model 'mock-1'. You said: Hello!";

  @RegisterExtension @Order(1) static GatewayExtension open = GatewayExtension.fromFile(SHIPPED,
      Map.of("ENSEMBLE_PORT", "0", "ENSEMBLE_ADMIN_KEY", ADMIN_KEY));
  @RegisterExtension @Order(2) static GatewayExtension closed = GatewayExtension.fromFile(requiringKeys(),
      Map.of("ENSEMBLE_PORT", "0", "ENSEMBLE_ADMIN_KEY", ADMIN_KEY));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** A copy of the shipped config (and the catalog it names, next to it) that requires client keys. */
  private static Path requiringKeys() {
    try {
      Path dir = Path.of(GatewayExtension.scratchDir("conf"));
      String text = Files.readString(SHIPPED);
      assertTrue(text.contains("require_client_keys: false"), "the shipped config says require_client_keys: false");
      Files.writeString(dir.resolve("ensemble.yaml"), text.replace("require_client_keys: false", "require_client_keys: true"));
      Files.copy(SHIPPED.resolveSibling("models.yaml"), dir.resolve("models.yaml"));
      return dir.resolve("ensemble.yaml");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static OpenAIClient openAi(GatewayExtension node, String key) {
    return OpenAIOkHttpClient.builder().baseUrl(node.openAiBaseUrl()).apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(20)).build();
  }

  private static AnthropicClient anthropic(GatewayExtension node, String key) {
    return AnthropicOkHttpClient.builder().baseUrl(node.baseUrl()).apiKey(key).maxRetries(0).timeout(Duration.ofSeconds(20)).build();
  }

  private static Client gemini(GatewayExtension node, String key) {
    return Client.builder().apiKey(key).httpOptions(HttpOptions.builder().baseUrl(node.baseUrl()).build()).build();
  }

  private static ChatCompletionCreateParams openAiHello() {
    return ChatCompletionCreateParams.builder().model("mock-1").addUserMessage("Hello!").build();
  }

  private static MessageCreateParams anthropicHello() {
    return MessageCreateParams.builder().model("mock-1").maxTokens(200).addUserMessage("Hello!").build();
  }

  @Test
  void theOpenAiSdkWithAnyKeyChatsAndStreams() {
    OpenAIClient client = openAi(open, "unused");
    try {
      ChatCompletion completion = client.chat().completions().create(openAiHello());
      assertEquals(MOCK_ANSWER, completion.choices().get(0).message().content().orElseThrow());

      String streamed;
      try (com.openai.core.http.StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(openAiHello())) {
        streamed = stream.stream().flatMap(c -> c.choices().stream()).map(c -> c.delta().content().orElse("")).collect(Collectors.joining());
      }
      assertEquals(MOCK_ANSWER, streamed);
    } finally {
      client.close();
    }
  }

  @Test
  void theAnthropicSdkWithAnyKeyChatsAndStreams() {
    AnthropicClient client = anthropic(open, "unused");
    try {
      Message message = client.messages().create(anthropicHello());
      assertEquals(MOCK_ANSWER, message.content().get(0).text().orElseThrow().text());

      String streamed;
      try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(anthropicHello())) {
        streamed = stream.stream().flatMap(e -> e.contentBlockDelta().stream()).flatMap(d -> d.delta().text().stream())
            .map(t -> t.text()).collect(Collectors.joining());
      }
      assertEquals(MOCK_ANSWER, streamed);
    } finally {
      client.close();
    }
  }

  @Test
  void theGeminiSdkAndTheResponsesApiWithAnyKeyAnswer() {
    try (Client client = gemini(open, "unused")) {
      assertEquals(MOCK_ANSWER, client.models.generateContent("mock-1", "Hello!", null).text());
      StringBuilder streamed = new StringBuilder();
      try (ResponseStream<GenerateContentResponse> stream = client.models.generateContentStream("mock-1", "Hello!", null)) {
        stream.forEach(chunk -> streamed.append(chunk.text() == null ? "" : chunk.text()));
      }
      assertEquals(MOCK_ANSWER, streamed.toString());
    }
    OpenAIClient client = openAi(open, "unused");
    try {
      Response response = client.responses().create(ResponseCreateParams.builder().model("mock-1").input("Hello!").build());
      assertEquals(MOCK_ANSWER, response.output().get(0).asMessage().content().get(0).asOutputText().text());
    } finally {
      client.close();
    }
  }

  @Test
  void anUnknownKeyIsAnonymousInEveryPlaceAKeyIsRead() throws Exception {
    HttpResponse<String> xApiKey = post(open, "/v1/messages", anthropicBody(), "x-api-key", "unused");
    HttpResponse<String> bearerOnMessages = post(open, "/v1/messages", anthropicBody(), "Authorization", "Bearer unused");
    HttpResponse<String> workflow = post(open, "/v1/workflows/hello", openAiBody(), "Authorization", "Bearer unused");
    HttpResponse<String> geminiQueryKey = post(open, "/v1beta/models/mock-1:generateContent?key=unused", geminiBody());
    HttpResponse<String> geminiHeaderKey = post(open, "/v1beta/models/mock-1:generateContent", geminiBody(), "x-goog-api-key", "unused");
    HttpResponse<String> models = http.send(HttpRequest.newBuilder(URI.create(open.baseUrl() + "/v1/models"))
        .header("Authorization", "Bearer unused").build(), HttpResponse.BodyHandlers.ofString());

    assertEquals(200, xApiKey.statusCode(), xApiKey.body());
    assertEquals(200, bearerOnMessages.statusCode(), bearerOnMessages.body());
    assertEquals(200, workflow.statusCode(), workflow.body());
    assertEquals(200, models.statusCode(), models.body());
    assertEquals(200, geminiQueryKey.statusCode(), geminiQueryKey.body());
    assertEquals(200, geminiHeaderKey.statusCode(), geminiHeaderKey.body());
    String id = xApiKey.headers().firstValue("x-ensemble-request-id").orElseThrow();
    assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(open.baseUrl() + "/api/v1/responses/" + id))
        .header("Authorization", "Bearer unused").build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
        "an anonymous response reads back with any key while keys are not required");

    assertEquals(MOCK_ANSWER, webSocketAnswer(open, "?key=unused", null));
    assertEquals(MOCK_ANSWER, webSocketAnswer(open, "", "unused"));
  }

  @Test
  void aClientsKeyIsStillThatClientsUsageAndLimit() throws Exception {
    JsonObject created = open.createClient(ADMIN_KEY, new JsonObject().put("name", "newcomer").put("rpm_limit", 2));
    Instant from = Instant.now();
    OpenAIClient mine = openAi(open, created.getString("key"));
    OpenAIClient anyone = openAi(open, "unused");
    try {
      mine.chat().completions().create(openAiHello());
      mine.chat().completions().create(openAiHello());
      RateLimitException limited = assertThrows(RateLimitException.class, () -> mine.chat().completions().create(openAiHello()));
      assertTrue(limited.getMessage().contains("limit of 2 requests per minute"), limited.getMessage());
      for (int i = 0; i < 3; i++) {
        assertEquals(MOCK_ANSWER, anyone.chat().completions().create(openAiHello()).choices().get(0).message().content().orElseThrow(),
            "the client's limit is not an anonymous caller's");
      }
    } finally {
      mine.close();
      anyone.close();
    }

    HttpResponse<String> usage = http.send(HttpRequest.newBuilder(URI.create(open.baseUrl() + "/admin/usage?group_by=client&from="
        + URLEncoder.encode(from.toString(), StandardCharsets.UTF_8))).header("Authorization", "Bearer " + ADMIN_KEY).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, usage.statusCode(), usage.body());
    JsonObject row = null;
    for (Object r : new JsonObject(usage.body()).getJsonArray("rows")) {
      if (created.getString("id").equals(((JsonObject) r).getString("client"))) {
        row = (JsonObject) r;
      }
    }
    assertNotNull(row, usage.body());
    assertEquals(2L, row.getLong("requests"), "the client's two answered requests are its own, the anonymous ones are not");
  }

  @Test
  void whenKeysAreRequiredAnUnknownKeyIs401InEveryFormat() throws Exception {
    OpenAIClient openAiClient = openAi(closed, "unused");
    AnthropicClient anthropicClient = anthropic(closed, "unused");
    try (Client geminiClient = gemini(closed, "unused")) {
      com.openai.errors.UnauthorizedException openAiRefused = assertThrows(com.openai.errors.UnauthorizedException.class,
          () -> openAiClient.chat().completions().create(openAiHello()));
      assertEquals(401, openAiRefused.statusCode());
      com.anthropic.errors.UnauthorizedException anthropicRefused = assertThrows(com.anthropic.errors.UnauthorizedException.class,
          () -> anthropicClient.messages().create(anthropicHello()));
      assertEquals(401, anthropicRefused.statusCode());
      com.openai.errors.UnauthorizedException responsesRefused = assertThrows(com.openai.errors.UnauthorizedException.class,
          () -> openAiClient.responses().create(ResponseCreateParams.builder().model("mock-1").input("Hello!").build()));
      assertEquals(401, responsesRefused.statusCode());
      ApiException geminiRefused = assertThrows(ApiException.class, () -> geminiClient.models.generateContent("mock-1", "Hello!", null));
      assertEquals(401, geminiRefused.code());
      assertEquals("UNAUTHENTICATED", geminiRefused.status());
    } finally {
      openAiClient.close();
      anthropicClient.close();
    }
    HttpResponse<String> xApiKey = post(closed, "/v1/messages", anthropicBody(), "x-api-key", "unused");
    assertEquals(401, xApiKey.statusCode());
    assertEquals("authentication_error", new JsonObject(xApiKey.body()).getJsonObject("error").getString("type"));
    HttpResponse<String> noKey = post(closed, "/v1/chat/completions", openAiBody());
    assertEquals(401, noKey.statusCode());
    assertEquals(401, post(closed, "/v1beta/models/mock-1:generateContent?key=unused", geminiBody()).statusCode());

    for (String[] attempt : new String[][] {{"?key=unused", null}, {"", "unused"}}) {
      ExecutionException refused = assertThrows(ExecutionException.class, () -> webSocketAnswer(closed, attempt[0], attempt[1]));
      assertEquals(401, assertInstanceOf(WebSocketHandshakeException.class, refused.getCause()).getResponse().statusCode());
    }
  }

  // --- helpers ---

  private static JsonObject openAiBody() {
    return new JsonObject().put("model", "mock-1").put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Hello!")));
  }

  private static JsonObject geminiBody() {
    return new JsonObject().put("contents", new JsonArray().add(new JsonObject().put("role", "user")
        .put("parts", new JsonArray().add(new JsonObject().put("text", "Hello!")))));
  }

  private static JsonObject anthropicBody() {
    return openAiBody().put("max_tokens", 200);
  }

  private HttpResponse<String> post(GatewayExtension node, String path, JsonObject body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(10))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Opens {@code /v1/ws<query>} (with a bearer key when given), asks mock-1 once and returns the answer's text. */
  private String webSocketAnswer(GatewayExtension node, String query, String bearer) throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    StringBuilder text = new StringBuilder();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder frame = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        frame.append(data);
        if (last) {
          JsonObject event = new JsonObject(frame.toString());
          frame.setLength(0);
          switch (event.getString("type", "")) {
            case "block.delta" -> text.append(event.getString("text", ""));
            case "response.end" -> answer.complete(text.toString());
            case "error" -> answer.completeExceptionally(new AssertionError(event.encode()));
            default -> { }
          }
        }
        ws.request(1);
        return null;
      }
    };
    WebSocket.Builder builder = http.newWebSocketBuilder();
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    WebSocket ws = builder.buildAsync(URI.create(node.baseUrl().replace("http://", "ws://") + "/v1/ws" + query), listener)
        .get(10, TimeUnit.SECONDS);
    try {
      ws.sendText(new JsonObject().put("type", "request").put("id", "r1").put("format", "openai").put("body", openAiBody()).encode(), true)
          .get(10, TimeUnit.SECONDS);
      return answer.get(10, TimeUnit.SECONDS);
    } finally {
      ws.abort();
    }
  }
}
