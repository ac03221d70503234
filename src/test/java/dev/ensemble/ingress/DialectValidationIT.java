package dev.ensemble.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Out-of-range and ill-shaped fields on the Gemini ({@code :generateContent}) and OpenAI Responses
 * ({@code /v1/responses}) routes, over raw HTTP: each is a 400 in the route's own error format naming the field's
 * path (Google's {@code INVALID_ARGUMENT} with the path first in the message; OpenAI's error object with
 * {@code param}), never a stack trace, and nothing reaches an upstream. The values just inside each range pass.
 */
class DialectValidationIT {

  @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
  @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.withConfig(fake, GatewayExtension::standardConfig);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "generationConfig.temperature        | 2.5",
      "generationConfig.temperature        | -0.1",
      "generationConfig.topP               | 1.01",
      "generationConfig.topK               | 0",
      "generationConfig.topK               | 2.5",
      "generationConfig.candidateCount     | 0",
      "generationConfig.candidateCount     | 9",
      "generationConfig.maxOutputTokens    | 0",
      "generationConfig.maxOutputTokens    | 4294967296",
      "generationConfig.presencePenalty    | 2.0",
      "generationConfig.frequencyPenalty   | -2.5",
      "generationConfig.seed               | 1.5",
      "generationConfig.stopSequences      | [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]",
      "generationConfig.responseMimeType   | \"text/x.enum\"",
      "generationConfig.responseMimeType   | \"text/html\"",
      "generationConfig.responseModalities | [\"IMAGE\"]",
      "generationConfig.responseSchema     | [1]",
      "generationConfig.thinkingConfig.thinkingBudget  | -2",
      "generationConfig.thinkingConfig.thinkingBudget  | 40000",
      "generationConfig.thinkingConfig.includeThoughts | \"yes\"",
  })
  void geminiGenerationConfigOutOfRangeIsNamed(String field, String json) throws Exception {
    JsonObject body = geminiBody();
    put(body, field, parse(json));

    HttpResponse<String> r = gemini(body);

    assertGoogleInvalid(r, field.replace("generationConfig.responseModalities", "generationConfig.responseModalities[0]"));
  }

  @Test
  void geminiValuesAtTheEdgesOfTheirRangesPass() throws Exception {
    JsonObject body = geminiBody().put("generationConfig", new JsonObject().put("temperature", 2.0).put("topP", 0.0).put("topK", 1)
        .put("candidateCount", 1).put("maxOutputTokens", 1).put("presencePenalty", -2.0).put("frequencyPenalty", 1.99).put("seed", 7)
        .put("stopSequences", new JsonArray().add("a").add("b").add("c").add("d").add("e")).put("responseMimeType", "text/plain")
        .put("responseModalities", new JsonArray().add("TEXT"))
        .put("thinkingConfig", new JsonObject().put("thinkingBudget", -1).put("includeThoughts", false)));

    HttpResponse<String> r = gemini(body);

    assertEquals(200, r.statusCode(), r.body());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "contents[0].role | {\"contents\":[{\"role\":\"system\",\"parts\":[{\"text\":\"hi\"}]}]}",
      "contents | {\"contents\":[]}",
      "contents[0].parts | {\"contents\":[{\"role\":\"user\",\"parts\":[]}]}",
      "contents[0].parts[0].inlineData.data | {\"contents\":[{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"not base64!\"}}]}]}",
      "tools[0].functionDeclarations[0].name | {\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"9lives\"}]}]}",
      "tools[0].functionDeclarations[1].name | {\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\"},{\"name\":\"f\"}]}]}",
      "tools[0].functionDeclarations[0].parameters.type | {\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":{\"type\":\"MAP\"}}]}]}",
      "tools[0].functionDeclarations[0].parameters.properties.city.type | {\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":{\"type\":\"OBJECT\",\"properties\":{\"city\":{\"type\":42}}}}]}]}",
      "tools[0].functionDeclarations[0].parameters.required[0] | {\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":{\"type\":\"OBJECT\",\"properties\":{},\"required\":[\"city\"]}}]}]}",
      "generationConfig.responseSchema.items.type | {\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"generationConfig\":{\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"ARRAY\",\"items\":{\"type\":\"TUPLE\"}}}}",
      "tools[0].functionDeclarations[0].parameters | {\"contents\":[{\"parts\":[{\"text\":\"hi\"}]}],\"tools\":[{\"functionDeclarations\":[{\"name\":\"f\",\"parameters\":[1]}]}]}",
  })
  void geminiBadContentsAndToolsAreNamed(String field, String json) throws Exception {
    assertGoogleInvalid(gemini(new JsonObject(json)), field);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @CsvSource(delimiter = '|', value = {
      "temperature       | 2.1",
      "top_p             | -0.5",
      "max_output_tokens | 15",
      "max_output_tokens | 0",
      "max_output_tokens | 1.5",
      "top_logprobs      | 21",
      "truncation        | \"sometimes\"",
      "service_tier      | \"gold\"",
      "reasoning.effort  | \"extreme\"",
      "reasoning.summary | \"verbose\"",
      "text.verbosity    | \"loud\"",
      "metadata          | {\"a\":1}",
  })
  void responsesOutOfRangeIsNamedInParam(String field, String json) throws Exception {
    JsonObject body = responsesBody();
    put(body, field, parse(json));

    HttpResponse<String> r = responses(body);

    assertOpenAiInvalid(r, field.equals("metadata") ? "metadata.a" : field);
  }

  @Test
  void responsesOversizedMetadataAndToolsAreRefused() throws Exception {
    JsonObject metadata = new JsonObject();
    for (int i = 0; i < 17; i++) {
      metadata.put("k" + i, "v");
    }
    assertOpenAiInvalid(responses(responsesBody().put("metadata", metadata)), "metadata");
    assertOpenAiInvalid(responses(responsesBody().put("metadata", new JsonObject().put("k", "v".repeat(513)))), "metadata.k");
    JsonArray tools = new JsonArray();
    for (int i = 0; i < 129; i++) {
      tools.add(new JsonObject().put("type", "function").put("name", "f" + i).put("parameters", new JsonObject().put("type", "object")));
    }
    assertOpenAiInvalid(responses(responsesBody().put("tools", tools)), "tools");
    assertOpenAiInvalid(responses(responsesBody().put("tools", new JsonArray().add(new JsonObject().put("type", "function")
        .put("name", "get weather")))), "tools[0].name");
  }

  @Test
  void responsesValuesAtTheEdgesOfTheirRangesPass() throws Exception {
    JsonObject body = responsesBody().put("max_output_tokens", 16).put("temperature", 2).put("top_p", 0).put("truncation", "auto")
        .put("metadata", new JsonObject().put("k".repeat(64), "v".repeat(512))).put("reasoning", new JsonObject().put("summary", "auto"));

    HttpResponse<String> r = responses(body);

    assertEquals(200, r.statusCode(), r.body());
  }

  private void assertGoogleInvalid(HttpResponse<String> r, String field) {
    assertEquals(400, r.statusCode(), r.body());
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertEquals(400, error.getInteger("code"));
    assertEquals("INVALID_ARGUMENT", error.getString("status"));
    assertTrue(error.getString("message").startsWith(field + ": "), "names " + field + ": " + error.getString("message"));
    assertNoInternals(r);
  }

  private void assertOpenAiInvalid(HttpResponse<String> r, String field) {
    assertEquals(400, r.statusCode(), r.body());
    JsonObject error = new JsonObject(r.body()).getJsonObject("error");
    assertEquals("invalid_request_error", error.getString("type"));
    assertEquals(field, error.getString("param"), r.body());
    assertNoInternals(r);
  }

  private void assertNoInternals(HttpResponse<String> r) {
    assertFalse(r.body().contains("Exception") || r.body().contains("at dev.ensemble") || r.body().contains("jackson"), r.body());
    assertEquals(0, fake.requestCount(), "nothing reached an upstream");
  }

  private static JsonObject geminiBody() {
    return new JsonObject().put("contents", new JsonArray().add(new JsonObject().put("role", "user")
        .put("parts", new JsonArray().add(new JsonObject().put("text", "hi")))));
  }

  private static JsonObject responsesBody() {
    return new JsonObject().put("model", "gpt-test").put("input", "hi");
  }

  /** Sets a dotted path, creating the objects on the way. */
  private static void put(JsonObject body, String path, Object value) {
    String[] names = path.split("\\.");
    JsonObject at = body;
    for (int i = 0; i < names.length - 1; i++) {
      JsonObject next = at.getJsonObject(names[i]);
      if (next == null) {
        next = new JsonObject();
        at.put(names[i], next);
      }
      at = next;
    }
    at.put(names[names.length - 1], value);
  }

  private static Object parse(String json) {
    return io.vertx.core.json.Json.decodeValue(json.trim());
  }

  private HttpResponse<String> gemini(JsonObject body) throws Exception {
    return send("/v1beta/models/gpt-test:generateContent", body, UnaryOperator.identity());
  }

  private HttpResponse<String> responses(JsonObject body) throws Exception {
    return send("/v1/responses", body, UnaryOperator.identity());
  }

  private HttpResponse<String> send(String path, JsonObject body, UnaryOperator<HttpRequest.Builder> extra) throws Exception {
    return http.send(extra.apply(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path))
            .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").header("x-goog-api-key", "any")
            .header("authorization", "Bearer any").POST(HttpRequest.BodyPublishers.ofString(body.encode()))).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
