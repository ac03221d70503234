package dev.ensemble.cache;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The built-in embedder runs offline in the JVM, its natives extracted where it is told. */
class LocalEmbedderTest {

  @Test
  void embedsOfflineWithNativesUnderTheConfiguredDirectory() throws Exception {
    Path dir = Files.createTempDirectory("ensemble-natives-");
    LocalEmbedder embedder = new LocalEmbedder(null, dir);

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
}
