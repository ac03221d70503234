package dev.ensemble.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartInputAudio;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.ensemble.testing.fake.FakeGeminiExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Media through a real gateway: one model served by a cheap text-only server and a dearer image-taking provider;
 * images go to the one that takes them, text keeps normal routing, media nobody takes is a 400 in the client's
 * format naming the part and the providers, and images, PDFs and audio are translated between the formats (an
 * OpenAI client's {@code input_audio} reaches Gemini as {@code inlineData} and OpenAI's audio model as
 * {@code input_audio}; Claude takes no audio).
 */
class MultimodalIT {

  private static final String PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
  private static final String PDF = "JVBERi0xLjQKJcfs";
  private static final String WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";
  private static final String ADMIN_KEY = "adm-multimodal-0001";
  private static final String MP3 = "SUQzBAAAAAAAI1RTU0UAAAAPAAADTGF2ZjU4Ljc2LjEwMAAAAAAAAAAAAAAA";

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static FakeGeminiExtension gemini = new FakeGeminiExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(fake, f -> """
      server: { host: 127.0.0.1, port: 0, admin_key: %7$s }
      responses: { local_dir: %1$s }
      providers:
        local:
          type: openai
          kind: self_hosted
          base_url: %2$s
          keys: [ { name: local, endpoints: [ { id: local-1 } ] } ]
        cloud:
          type: openai
          base_url: %2$s
          keys: [ { name: k, api_key: %3$s, endpoints: [ { id: cloud-1 } ] } ]
        ant:
          type: anthropic
          base_url: %4$s
          keys: [ { name: k, api_key: %5$s, endpoints: [ { id: ant-1 } ] } ]
        gem:
          type: gemini
          base_url: %6$s
          keys: [ { name: k, api_key: AIza-test-multimodal, endpoints: [ { id: gem-1 } ] } ]
      models:
        vision:
          providers:
            - { provider: local, model: qwen, pricing: { input: 0, output: 0 } }
            - { provider: cloud, model: gpt-4o-mini, pricing: { input: 2, output: 8 } }
        text-only:
          providers:
            - { provider: local, model: qwen }
            - { provider: cloud, model: gpt-4o-mini, modalities: [text] }
        claude-vision:
          providers:
            - { provider: local, model: qwen, pricing: { input: 0, output: 0 } }
            - { provider: ant, model: claude-sonnet-4-5-20250929, pricing: { input: 3, output: 15 } }
        listener:
          providers:
            - { provider: ant, model: claude-sonnet-4-5-20250929, pricing: { input: 1, output: 1 } }
            - { provider: gem, model: gemini-2.5-flash, pricing: { input: 5, output: 20 } }
        claude-only:
          providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
        gpt-listener:
          providers: [ { provider: cloud, model: gpt-audio } ]
      """.formatted(GatewayExtension.scratchDir("responses"), f.openAiBaseUrl(), GatewayExtension.OPENAI_KEY, f.baseUrl(),
      GatewayExtension.ANTHROPIC_KEY, gemini.baseUrl(), ADMIN_KEY));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void localServerTakesNoKey() {
    fake.server().acceptMissingKey();
  }

  @Test
  void aTextRequestStillUsesNormalRoutingToTheCheapestProvider() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", new JsonObject().put("model", "vision")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("local", header(response, "x-ensemble-provider"));
    assertEquals("qwen", fake.lastRequest().json().getString("model"));
  }

  @Test
  void anImageRequestGoesToTheProviderThatTakesImages() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", openAiWith(
        new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "data:image/png;base64," + PNG)), "vision"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("cloud", header(response, "x-ensemble-provider"));
    assertEquals("only_endpoint", header(response, "x-ensemble-route-reason"));
    JsonObject part = fake.lastRequest().json().getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertEquals("data:image/png;base64," + PNG, part.getJsonObject("image_url").getString("url"));
  }

  @Test
  void anOpenAiClientsImageUrlReachesAnthropicAsAUrlSource() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", openAiWith(
        new JsonObject().put("type", "image_url").put("image_url", new JsonObject().put("url", "https://example.com/cat.png")), "claude-vision"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("ant", header(response, "x-ensemble-provider"));
    RecordedRequest sent = fake.lastRequest();
    assertEquals("/v1/messages", sent.path());
    JsonObject image = sent.json().getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertEquals(new JsonObject().put("type", "image").put("source", new JsonObject().put("type", "url").put("url", "https://example.com/cat.png")),
        image);
  }

  @Test
  void anAnthropicClientsPdfReachesAnOpenAiProviderAsAFilePart() throws Exception {
    HttpResponse<String> response = post("/v1/messages", anthropicWith(new JsonObject().put("type", "document").put("title", "report.pdf")
        .put("source", new JsonObject().put("type", "base64").put("media_type", "application/pdf").put("data", PDF)), "vision"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("cloud", header(response, "x-ensemble-provider"));
    JsonObject part = fake.lastRequest().json().getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertEquals(new JsonObject().put("type", "file").put("file",
        new JsonObject().put("filename", "report.pdf").put("file_data", "data:application/pdf;base64," + PDF)), part);
  }

  @Test
  void aPdfNoProviderTakesIsA400InTheOpenAiFormat() throws Exception {
    int before = fake.requestCount();
    HttpResponse<String> response = post("/v1/chat/completions", openAiWith(new JsonObject().put("type", "file")
        .put("file", new JsonObject().put("filename", "a.pdf").put("file_data", "data:application/pdf;base64," + PDF)), "text-only"));

    assertEquals(400, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"));
    assertEquals("messages[0].content[1]", error.getString("param"));
    assertEquals("messages[0].content[1]: model 'text-only' served by local, cloud cannot take inline PDF documents"
        + " (providers take local: text; cloud: text)", error.getString("message"));
    assertEquals(before, fake.requestCount(), "nothing was sent upstream");
  }

  @Test
  void aPdfNoProviderTakesIsA400InTheAnthropicFormat() throws Exception {
    HttpResponse<String> response = post("/v1/messages", anthropicWith(new JsonObject().put("type", "document")
        .put("source", new JsonObject().put("type", "base64").put("media_type", "application/pdf").put("data", PDF)), "text-only"));

    assertEquals(400, response.statusCode(), response.body());
    JsonObject body = new JsonObject(response.body());
    assertEquals("error", body.getString("type"));
    assertEquals("invalid_request_error", body.getJsonObject("error").getString("type"));
    String message = body.getJsonObject("error").getString("message");
    assertTrue(message.contains("messages[0].content[1]") && message.contains("inline PDF documents")
        && message.contains("local, cloud"), message);
  }

  @Test
  void anOpenAiClientsInputAudioReachesGeminiAsInlineData() throws Exception {
    int claudeBefore = fake.requestCount();
    HttpResponse<String> response = post("/v1/chat/completions", openAiWith(inputAudio(WAV, "wav"), "listener"));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("gem", header(response, "x-ensemble-provider"));
    assertEquals(claudeBefore, fake.requestCount(), "the cheaper Claude provider takes no audio");
    JsonArray parts = gemini.lastRequest().json().getJsonArray("contents").getJsonObject(0).getJsonArray("parts");
    assertEquals(new JsonObject().put("text", "what is this?"), parts.getJsonObject(0));
    assertEquals(new JsonObject().put("inlineData", new JsonObject().put("mimeType", "audio/wav").put("data", WAV)), parts.getJsonObject(1));
  }

  @Test
  void theOpenAiSdksInputAudioReachesGeminiAsMp3InlineData() {
    OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(gateway.openAiBaseUrl())
        .apiKey(gateway.createClient(ADMIN_KEY, new JsonObject().put("name", "sdk")).getString("key"))
        .maxRetries(0).timeout(Duration.ofSeconds(15)).build();
    try {
      ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder().model("listener")
          .addUserMessageOfArrayOfContentParts(List.of(
              ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("transcribe").build()),
              ChatCompletionContentPart.ofInputAudio(ChatCompletionContentPartInputAudio.builder()
                  .inputAudio(ChatCompletionContentPartInputAudio.InputAudio.builder().data(MP3)
                      .format(ChatCompletionContentPartInputAudio.InputAudio.Format.MP3).build()).build())))
          .build());

      assertEquals("echo: transcribe", completion.choices().get(0).message().content().orElseThrow());
    } finally {
      client.close();
    }
    JsonObject part = gemini.lastRequest().json().getJsonArray("contents").getJsonObject(0).getJsonArray("parts").getJsonObject(1);
    assertEquals(new JsonObject().put("inlineData", new JsonObject().put("mimeType", "audio/mpeg").put("data", MP3)), part);
  }

  @Test
  void anOpenAiClientsInputAudioReachesOpenAisAudioModelUnchanged() throws Exception {
    JsonObject part = inputAudio(WAV, "wav");
    HttpResponse<String> response = post("/v1/chat/completions", openAiWith(part, "gpt-listener"));

    assertEquals(200, response.statusCode(), response.body());
    RecordedRequest sent = fake.lastRequest();
    assertEquals("gpt-audio", sent.json().getString("model"));
    assertEquals(part, sent.json().getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1));
  }

  @Test
  void anAnthropicClientsAudioDocumentReachesOpenAisAudioModelAsInputAudio() throws Exception {
    HttpResponse<String> response = post("/v1/messages", anthropicWith(new JsonObject().put("type", "document")
        .put("source", new JsonObject().put("type", "base64").put("media_type", "audio/mpeg").put("data", MP3)), "gpt-listener"));

    assertEquals(200, response.statusCode(), response.body());
    JsonObject part = fake.lastRequest().json().getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(1);
    assertEquals(inputAudio(MP3, "mp3"), part);
  }

  @Test
  void audioTheChosenProvidersWireFormatCannotCarryIsA400InTheAnthropicFormatAndNothingIsSent() throws Exception {
    int before = fake.requestCount();
    HttpResponse<String> response = post("/v1/messages", anthropicWith(new JsonObject().put("type", "document")
        .put("source", new JsonObject().put("type", "base64").put("media_type", "audio/ogg").put("data", MP3)), "gpt-listener"));

    assertEquals(400, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"));
    assertTrue(error.getString("message").contains("wav and mp3 only"), error.getString("message"));
    assertEquals(before, fake.requestCount(), "nothing was sent upstream");
  }

  @Test
  void audioForAClaudeOnlyModelIsA400InTheOpenAiFormatNamingThePartAndTheProvider() throws Exception {
    int before = fake.requestCount();
    HttpResponse<String> response = post("/v1/chat/completions", openAiWith(inputAudio(WAV, "wav"), "claude-only"));

    assertEquals(400, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"));
    assertEquals("messages[0].content[1]", error.getString("param"));
    assertEquals("messages[0].content[1]: model 'claude-only' served by ant cannot take audio"
        + " (providers take ant: text, image, pdf)", error.getString("message"));
    assertEquals(before, fake.requestCount(), "nothing was sent upstream");
  }

  @Test
  void aBadInputAudioFormatIsA400NamingTheField() throws Exception {
    HttpResponse<String> response = post("/v1/chat/completions", openAiWith(inputAudio(WAV, "flac"), "listener"));

    assertEquals(400, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertEquals("messages[0].content[1].input_audio.format", error.getString("param"));
  }

  private static JsonObject inputAudio(String data, String format) {
    return new JsonObject().put("type", "input_audio").put("input_audio", new JsonObject().put("data", data).put("format", format));
  }

  private static JsonObject openAiWith(JsonObject part, String model) {
    return new JsonObject().put("model", model).put("messages", new JsonArray().add(new JsonObject().put("role", "user")
        .put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "what is this?")).add(part))));
  }

  private static JsonObject anthropicWith(JsonObject block, String model) {
    return new JsonObject().put("model", model).put("max_tokens", 100).put("messages", new JsonArray().add(new JsonObject()
        .put("role", "user").put("content", new JsonArray().add(new JsonObject().put("type", "text").put("text", "summarise")).add(block))));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(15))
        .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}
