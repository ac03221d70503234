package dev.ensemble.cache;

import dev.ensemble.config.ResponseCacheConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in embedder runs offline in the JVM, its natives extracted where it is told; its module is optional. */
class LocalEmbedderTest {

  private static EmbeddingModule module() {
    return EmbeddingModules.find(ResponseCacheConfig.LOCAL_EMBEDDER, LocalEmbedderTest.class.getClassLoader(), null).orElseThrow();
  }

  @Test
  void embedsOfflineWithNativesUnderTheConfiguredDirectory() throws Exception {
    Path dir = Files.createTempDirectory("ensemble-natives-");
    LocalEmbedder embedder = new LocalEmbedder(null, module(), dir);

    float[] reset = embedder.embedNow("How do I reset my password?");
    float[] resetToo = embedder.embedNow("How can I reset my password?");
    float[] weather = embedder.embedNow("Will it rain in Oslo tomorrow?");

    assertEquals(384, reset.length);
    assertEquals(1.0, Embedder.cosine(reset, reset), 1e-4);
    double paraphrase = Embedder.cosine(reset, resetToo);
    double unrelated = Embedder.cosine(reset, weather);
    assertTrue(paraphrase > 0.85, "paraphrase " + paraphrase);
    assertTrue(unrelated < 0.5, "unrelated " + unrelated);
    assertTrue(Files.exists(dir.resolve("onnxruntime")), "ONNX Runtime natives extracted under " + dir);
  }

  @Test
  void aMissingModuleIsNotFoundAndTheErrorSaysWhereToPutIt() throws Exception {
    Path jar = Files.createTempDirectory("ensemble-no-module-").resolve(EmbeddingModules.JAR_NAME);

    Optional<EmbeddingModule> found = EmbeddingModules.find(ResponseCacheConfig.LOCAL_EMBEDDER, ClassLoader.getPlatformClassLoader(), jar);

    assertTrue(found.isEmpty());
    String error = EmbeddingModules.missing(ResponseCacheConfig.LOCAL_EMBEDDER, jar);
    assertTrue(error.startsWith("local/all-minilm-l6-v2 is the built-in embedder of the optional local embedder module, which is not installed"),
        error);
    assertTrue(error.contains("put ensemble-local-embedder.jar (mvn package builds it next to ensemble.jar) at " + jar), error);
  }

  @Test
  void theModuleIsLookedForNextToTheRunningJarUnlessConfigured() {
    assertEquals(Path.of("/opt/modules/embedder.jar"), EmbeddingModules.jar("/opt/modules/embedder.jar"));
    assertNull(EmbeddingModules.jar(""), "running from target/classes there is no jar to look next to");
  }
}
