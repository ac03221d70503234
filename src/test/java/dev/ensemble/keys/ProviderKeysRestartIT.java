package dev.ensemble.keys;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.node.Gateway;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admin-added provider keys across restarts on one SQLite file, and nodes that cannot store keys. */
class ProviderKeysRestartIT {

  @RegisterExtension static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final Path dir = Path.of(GatewayExtension.scratchDir("keys-restart"));
  private final String encryptionKey = KeyVaultTest.randomKey().value();

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private EnsembleConfig config(String encryptionKey) {
    return new ConfigLoader(Map.of("KEY", encryptionKey)).parse("""
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        storage: { sqlite_path: %s, encryption_key: "${KEY}" }
        responses: { local_dir: %s }
        providers:
          oai: { type: openai, base_url: %s, keys: [] }
        models:
          gpt: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
        """.formatted(ProviderKeysIT.ADMIN_KEY, dir.resolve("ensemble.db"), dir.resolve("responses"), fake.openAiBaseUrl()));
  }

  @Test
  void anAddedKeySurvivesARestartAndIsUsed() throws Exception {
    Gateway first = await(Gateway.start(vertx, config(encryptionKey)));
    HttpResponse<String> created = send(first, "POST", "/admin/keys",
        ProviderKeysIT.newKey("oai", "kept", ProviderKeysIT.NEW_KEY, "oai-kept").encode());
    assertEquals(201, created.statusCode(), created.body());
    await(first.stop());

    Gateway second = await(Gateway.start(vertx, config(encryptionKey)));
    HttpResponse<String> list = send(second, "GET", "/admin/keys", null);
    HttpResponse<String> served = chat(second);
    await(second.stop());

    assertTrue(list.body().contains("\"oai-kept\""), list.body());
    assertEquals(200, served.statusCode(), served.body());
    assertEquals("oai-kept", served.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertEquals("Bearer " + ProviderKeysIT.NEW_KEY, fake.lastRequest().header("authorization"));
  }

  @Test
  void aConfigKeyFilledThroughTheAdminApiServesWithItsConfigEndpointsAcrossARestartUntilEmptiedAgain() throws Exception {
    EnsembleConfig slot = new ConfigLoader(Map.of("KEY", encryptionKey)).parse("""
        server: { host: 127.0.0.1, port: 0, admin_key: %s }
        storage: { sqlite_path: %s, encryption_key: "${KEY}" }
        responses: { local_dir: %s }
        providers:
          oai:
            type: openai
            base_url: %s
            keys: [ { name: primary, api_key: "", weight: 3.0, endpoints: [ { id: oai-primary, rpm_limit: 100 } ] } ]
        models:
          gpt: { providers: [ { provider: oai, model: gpt-4o-mini } ] }
        """.formatted(ProviderKeysIT.ADMIN_KEY, dir.resolve("slot.db"), dir.resolve("responses"), fake.openAiBaseUrl()));
    Gateway first = await(Gateway.start(vertx, slot));
    assertEquals(503, chat(first).statusCode(), "the config key has no api_key yet");
    HttpResponse<String> withEndpoints = send(first, "POST", "/admin/keys",
        ProviderKeysIT.newKey("oai", "primary", ProviderKeysIT.NEW_KEY, "elsewhere").encode());
    assertEquals(400, withEndpoints.statusCode(), withEndpoints.body());
    assertTrue(withEndpoints.body().contains("come from there"), withEndpoints.body());
    HttpResponse<String> filled = send(first, "POST", "/admin/keys", new JsonObject().put("provider", "oai").put("name", "primary")
        .put("api_key", ProviderKeysIT.NEW_KEY).encode());
    assertEquals(201, filled.statusCode(), filled.body());
    await(first.stop());

    Gateway second = await(Gateway.start(vertx, slot));
    HttpResponse<String> served = chat(second);
    assertEquals(200, served.statusCode(), served.body());
    assertEquals("oai-primary", served.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertEquals("Bearer " + ProviderKeysIT.NEW_KEY, fake.lastRequest().header("authorization"));
    assertTrue(send(second, "GET", "/admin/status", null).body().contains("\"rpm_limit\" : 100"), "the config's limit applies");

    assertEquals(204, send(second, "DELETE", "/admin/keys/" + new JsonObject(filled.body()).getString("id"), null).statusCode());
    assertEquals(503, chat(second).statusCode(), "the slot is empty again");
    HttpResponse<String> listed = send(second, "GET", "/admin/keys", null);
    await(second.stop());
    assertTrue(listed.body().contains("config:oai:primary"), "the config key itself stays: " + listed.body());
  }

  @Test
  void aKeyWithoutEndpointsGetsOneNamedAfterIt() throws Exception {
    Gateway node = await(Gateway.start(vertx, config(encryptionKey)));
    HttpResponse<String> added = send(node, "POST", "/admin/keys", new JsonObject().put("provider", "oai").put("name", "team-a")
        .put("api_key", ProviderKeysIT.NEW_KEY).encode());
    HttpResponse<String> served = chat(node);
    HttpResponse<String> twice = send(node, "POST", "/admin/keys", new JsonObject().put("provider", "oai").put("name", "team-a")
        .put("api_key", "sk-another-admin-key-0042").encode());
    await(node.stop());

    assertEquals(201, added.statusCode(), added.body());
    assertEquals(new JsonArray().add(new JsonObject().put("id", "oai-team-a")), new JsonObject(added.body()).getJsonArray("endpoints"));
    assertEquals(200, served.statusCode(), served.body());
    assertEquals("oai-team-a", served.headers().firstValue("x-ensemble-endpoint").orElseThrow());
    assertEquals(409, twice.statusCode(), "two admin keys of one name: " + twice.body());
  }

  @Test
  void storedKeysNeedTheEncryptionKeyTheyWereStoredWith() throws Exception {
    Gateway first = await(Gateway.start(vertx, config(encryptionKey)));
    assertEquals(201, send(first, "POST", "/admin/keys",
        ProviderKeysIT.newKey("oai", "kept", ProviderKeysIT.NEW_KEY, "oai-kept").encode()).statusCode());
    await(first.stop());

    ExecutionException other = assertThrows(ExecutionException.class,
        () -> await(Gateway.start(vertx, config(KeyVaultTest.randomKey().value()))));
    assertTrue(other.getCause().getMessage().contains("is not the key the fleet's provider keys are encrypted with"), other.getCause().getMessage());
    ExecutionException none = assertThrows(ExecutionException.class, () -> await(Gateway.start(vertx, config(""))));
    assertTrue(none.getCause().getMessage().contains("storage.encryption_key (ENSEMBLE_ENCRYPTION_KEY) is not set"),
        none.getCause().getMessage());
  }

  @Test
  void aNodeWithoutAnEncryptionKeyRefusesToStoreKeys() throws Exception {
    Gateway node = await(Gateway.start(vertx, config("")));
    HttpResponse<String> refused = send(node, "POST", "/admin/keys",
        ProviderKeysIT.newKey("oai", "x", ProviderKeysIT.NEW_KEY, "oai-x").encode());
    HttpResponse<String> list = send(node, "GET", "/admin/keys", null);
    await(node.stop());

    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("the node cannot store provider keys: ENSEMBLE_ENCRYPTION_KEY (storage.encryption_key) is not set",
        new JsonObject(refused.body()).getJsonObject("error").getString("message"));
    assertEquals(200, list.statusCode());
  }

  @Test
  void anEncryptionKeyOfTheWrongLengthFailsTheStart() {
    ExecutionException error = assertThrows(ExecutionException.class, () -> await(Gateway.start(vertx, config("c2hvcnQ="))));
    assertTrue(error.getCause().getMessage().startsWith("storage.encryption_key: must be 32 bytes of base64"), error.getCause().getMessage());
    assertTrue(error.getCause().getMessage().contains("decodes to 5 bytes"), error.getCause().getMessage());
  }

  private HttpResponse<String> chat(Gateway node) throws Exception {
    String body = new JsonObject().put("model", "gpt")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello"))).encode();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/v1/chat/completions"))
        .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(Gateway node, String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path)).timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("content-type", "application/json").header("Authorization", "Bearer " + ProviderKeysIT.ADMIN_KEY).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
