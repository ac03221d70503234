package dev.ensemble.providers.bedrock;

import dev.ensemble.testing.fake.FakeBedrock;
import dev.ensemble.testing.fake.FakeBedrockExtension;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.gateway.AdminStatus;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway with {@code type: bedrock} providers whose keys are Bedrock API keys, sent by the AWS SDK as
 * {@code Authorization: Bearer} to {@link FakeBedrock}: {@code bk} has one, {@code bk2} a key Bedrock no longer
 * knows and a good one, {@code mixed} an API key next to an access key pair.
 */
class BedrockApiKeyIT {

  private static final String ADMIN_KEY = "admin-secret-0123456789";
  private static final String UPSTREAM_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0";
  private static final String API_KEY = "ABSKQmVkcm9ja0FQSUtleS1nb29kLWtleQ==";
  private static final String API_KEY_2 = "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbg==";
  private static final String REVOKED = "ABSKQmVkcm9ja0FQSUtleS1yZXZva2Vk";

  @RegisterExtension @Order(1) static FakeBedrockExtension bedrock = new FakeBedrockExtension();
  @RegisterExtension @Order(2) static FakeUpstreamExtension unused = new FakeUpstreamExtension();
  @RegisterExtension @Order(3) static GatewayExtension gateway = GatewayExtension.withConfig(unused, f -> """
      server: { host: 127.0.0.1, port: 0, admin_key: %s }
      responses: { local_dir: %s }
      providers:
        bk:
          type: bedrock
          base_url: %s
          keys: [ { name: api, api_key: "%s", endpoints: [ { id: bk-1, region: us-west-2 } ] } ]
        bk2:
          type: bedrock
          base_url: %s
          strategy: round_robin
          keys:
            - { name: revoked, api_key: "%s", endpoints: [ { id: bk2-revoked } ] }
            - { name: good, api_key: "%s", endpoints: [ { id: bk2-good } ] }
        mixed:
          type: bedrock
          base_url: %s
          strategy: round_robin
          keys:
            - { name: api, api_key: "%s", endpoints: [ { id: mixed-api } ] }
            - { name: iam, api_key: "AKIDMIXED:secret-mixed", endpoints: [ { id: mixed-iam } ] }
      models:
        claude-bk: { providers: [ { provider: bk, model: %s } ] }
        claude-bk2: { providers: [ { provider: bk2, model: %s } ] }
        claude-mixed: { providers: [ { provider: mixed, model: %s } ] }
      """.formatted(ADMIN_KEY, GatewayExtension.scratchDir("responses"), bedrock.baseUrl(), API_KEY, bedrock.baseUrl(), REVOKED, API_KEY_2,
      bedrock.baseUrl(), API_KEY, UPSTREAM_MODEL, UPSTREAM_MODEL, UPSTREAM_MODEL));

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Test
  void chatsWithABedrockApiKeyAsBearerToken() throws Exception {
    bedrock.server().acceptApiKeys(API_KEY);
    bedrock.enqueue(Reply.text("Hello with an API key").usage(20, 5, 0, 0));

    HttpResponse<String> response = post("/v1/chat/completions", openAi("claude-bk", false));

    assertEquals(200, response.statusCode(), response.body());
    assertEquals("Hello with an API key", new JsonObject(response.body()).getJsonArray("choices").getJsonObject(0)
        .getJsonObject("message").getString("content"));
    RecordedRequest sent = bedrock.lastRequest();
    assertEquals(API_KEY, FakeBedrock.bearerToken(sent));
    assertNull(FakeBedrock.signedAccessKey(sent), "not SigV4 signed");
    assertEquals(UPSTREAM_MODEL, FakeBedrock.modelId(sent));
  }

  @Test
  void streamsWithABedrockApiKey() throws Exception {
    bedrock.server().acceptApiKeys(API_KEY);
    bedrock.enqueue(Reply.text("streamed with a bearer token"));

    HttpResponse<String> response = post("/v1/messages", new JsonObject().put("model", "claude-bk").put("max_tokens", 100)
        .put("stream", true).put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))));

    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.body().contains("event: message_stop"), response.body());
    StringBuilder text = new StringBuilder();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("data: ") && line.contains("text_delta")) {
        text.append(new JsonObject(line.substring(6)).getJsonObject("delta").getString("text"));
      }
    }
    assertEquals("streamed with a bearer token", text.toString());
    assertTrue(bedrock.lastRequest().path().endsWith("/invoke-with-response-stream"));
    assertEquals(API_KEY, FakeBedrock.bearerToken(bedrock.lastRequest()));
  }

  @Test
  void aRejectedApiKeyIsDisabledAndTheOtherKeyServes() throws Exception {
    bedrock.server().acceptApiKeys(API_KEY_2);

    HttpResponse<String> first = post("/v1/chat/completions", openAi("claude-bk2", false));
    HttpResponse<String> second = post("/v1/chat/completions", openAi("claude-bk2", true));

    for (HttpResponse<String> response : List.of(first, second)) {
      assertEquals(200, response.statusCode(), response.body());
      assertEquals("bk2-good", header(response, "x-ensemble-endpoint"));
    }
    assertEquals(1, List.of(first, second).stream().filter(r -> "failover:auth".equals(header(r, "x-ensemble-route-reason"))).count());
    JsonObject health = endpoint(status(), "bk2", "bk2-revoked").getJsonObject("health");
    assertEquals(true, health.getBoolean("key_disabled"), health.encode());
    assertEquals(1, bedrock.requests().stream().filter(r -> REVOKED.equals(FakeBedrock.bearerToken(r))).count());
    for (int i = 0; i < 3; i++) {
      assertEquals("bk2-good", header(post("/v1/chat/completions", openAi("claude-bk2", false)), "x-ensemble-endpoint"));
    }
    assertEquals(1, bedrock.requests().stream().filter(r -> REVOKED.equals(FakeBedrock.bearerToken(r))).count(), "the disabled key stays out");
    assertFalse(status().encode().contains(REVOKED), "no raw key in /admin/status");
  }

  @Test
  void anApiKeyAndAnAccessKeyPairServeTheSameProvider() throws Exception {
    bedrock.server().acceptApiKeys(API_KEY);

    for (int i = 0; i < 2; i++) {
      assertEquals(200, post("/v1/chat/completions", openAi("claude-mixed", i == 1)).statusCode());
    }

    List<RecordedRequest> sent = bedrock.requests();
    assertEquals(1, sent.stream().filter(r -> API_KEY.equals(FakeBedrock.bearerToken(r))).count());
    assertEquals(1, sent.stream().filter(r -> "AKIDMIXED".equals(FakeBedrock.signedAccessKey(r))).count());
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  private static JsonObject openAi(String model, boolean stream) {
    return new JsonObject().put("model", model).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello")));
  }

  private HttpResponse<String> post(String path, JsonObject body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject status() throws Exception {
    return AdminStatus.fetch(http, gateway.baseUrl(), ADMIN_KEY);
  }

  private static JsonObject endpoint(JsonObject status, String provider, String id) {
    return AdminStatus.endpoint(status, provider, id);
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }
}
