package dev.ensemble.cache;

import dev.ensemble.testing.fake.FakeUpstreamExtension;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.fleet.NodeProcess;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local embedder as the optional module of the packaged build, each node a JVM of its own running the real jar:
 * {@code ensemble.jar} holds neither the embedder nor ONNX Runtime, DJL or langchain4j; with
 * {@code ensemble-local-embedder.jar} given to it a semantic cache answers a paraphrase from the cache, and without
 * it a config asking for {@code local/all-minilm-l6-v2} does not start and says which YAML key needs what.
 */
class LocalEmbedderModuleFleetIT {

  @RegisterExtension static FakeUpstreamExtension fake = new FakeUpstreamExtension();

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static Path moduleJar() {
    return Path.of(System.getProperty("ensemble.local-embedder.jar", "target/ensemble-local-embedder.jar")).toAbsolutePath();
  }

  private static String config(String moduleJar) {
    return """
        server: { host: 127.0.0.1, port: %%PORT%% }
        storage: { sqlite_path: %%DIR%%/data/ensemble.db }
        responses: { local_dir: %%DIR%%/data/responses }
        providers:
          oai:
            type: openai
            base_url: %s
            keys: [ { name: k1, api_key: %s, endpoints: [ { id: oai-1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 0.15, output: 0.60 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
        routes:
          faq:
            model: gpt-test
            cache: { type: semantic, threshold: 0.85, embedding_model: local/all-minilm-l6-v2 }
        response_cache: { native_dir: %%DIR%%/natives, local_embedder_jar: %s }
        """.formatted(fake.openAiBaseUrl(), GatewayExtension.OPENAI_KEY, moduleJar);
  }

  @Test
  void theNodeJarLeavesTheEmbedderAndItsLibrariesToTheModuleJar() throws Exception {
    List<String> apart = List.of("ai/onnxruntime/", "ai/djl/", "dev/langchain4j/", "dev/ensemble/cache/local/",
        "META-INF/services/dev.ensemble.cache.EmbeddingModule");
    try (ZipFile node = new ZipFile(NodeProcess.jar().toFile()); ZipFile module = new ZipFile(moduleJar().toFile())) {
      for (String prefix : apart) {
        assertTrue(node.stream().noneMatch(e -> e.getName().startsWith(prefix)), "ensemble.jar holds " + prefix);
        assertTrue(module.stream().anyMatch(e -> e.getName().startsWith(prefix)), "the module jar lacks " + prefix);
      }
      assertTrue(module.stream().noneMatch(e -> e.getName().startsWith("com/fasterxml/jackson/")),
          "the module uses the node's Jackson, it does not bring its own");
      assertTrue(module.stream().noneMatch(e -> !e.isDirectory() && e.getName().startsWith("dev/ensemble/") && !e.getName().startsWith("dev/ensemble/cache/local/")),
          "the module holds no class of the node");
    }
  }

  @Test
  void withTheModuleJarAParaphraseIsASemanticHitAndTheNativesGoWhereTheyAreTold() throws Exception {
    Path dir = Path.of(GatewayExtension.scratchDir("local-embedder-module"));
    try (NodeProcess node = new NodeProcess("embedder-node", dir, config(moduleJar().toString()), Map.of(), List.of())) {
      node.start().awaitReady(Duration.ofSeconds(90));
      fake.enqueue(Reply.text("Use the reset link."));

      HttpResponse<String> first = post(node, "How do I reset my password?");
      HttpResponse<String> paraphrase = post(node, "How can I reset my password?");

      assertEquals("MISS", first.headers().firstValue("x-cache-status").orElseThrow(), first.body() + node.logTail(20));
      assertEquals("SEMANTIC_HIT", paraphrase.headers().firstValue("x-cache-status").orElseThrow(), paraphrase.body() + node.logTail(20));
      assertEquals("Use the reset link.",
          new JsonObject(paraphrase.body()).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"));
      assertEquals(1, fake.requestCount());
      assertTrue(Files.isDirectory(dir.resolve("natives/onnxruntime")), "ONNX Runtime's libraries under response_cache.native_dir");
    }
  }

  @Test
  void withoutTheModuleAConfigAskingForTheLocalEmbedderStopsNamingTheYamlPathAndTheFix() throws Exception {
    Path dir = Path.of(GatewayExtension.scratchDir("local-embedder-missing"));
    Path missing = dir.resolve("modules/ensemble-local-embedder.jar");
    try (NodeProcess node = new NodeProcess("no-embedder-node", dir, config(missing.toString()), Map.of(), List.of())) {
      int exit = node.start().awaitExit(Duration.ofSeconds(90));
      String log = Files.readString(node.log());

      assertEquals(1, exit, log);
      assertTrue(log.contains("ensemble: could not start: routes.faq.cache.embedding_model: local/all-minilm-l6-v2 is the built-in embedder of "
          + "the optional local embedder module, which is not installed (not on the class path, no " + missing + "): put "
          + "ensemble-local-embedder.jar (mvn package builds it next to ensemble.jar) at " + missing
          + ", or set response_cache.local_embedder_jar to where it is, or name an embedding model of the catalog"), log);
    }
  }

  private HttpResponse<String> post(NodeProcess node, String prompt) throws Exception {
    JsonObject body = new JsonObject().put("model", "gpt-test")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", prompt)));
    return http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/workflows/faq")).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
