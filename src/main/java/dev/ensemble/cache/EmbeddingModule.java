package dev.ensemble.cache;

import java.nio.file.Path;

/**
 * A built-in embedding model that runs in this JVM, shipped as an optional module (the local embedder,
 * {@code ensemble-local-embedder.jar}) and found by {@link EmbeddingModules} through {@link java.util.ServiceLoader}.
 * The main jar holds only this interface; the module holds the implementation and its libraries (ONNX Runtime,
 * the tokenizer, the model).
 */
public interface EmbeddingModule {

  /** The name a config uses in {@code embedding_model}, e.g. {@code local/all-minilm-l6-v2}. */
  String model();

  /**
   * Loads the model, extracting its native libraries under {@code nativeDir} (never the temp or home dir). Blocks
   * (about a second); call it off the event loop, once per node.
   */
  Model load(Path nativeDir);

  /** A loaded model. Thread-safe; {@link #embed} blocks for CPU work (milliseconds). */
  interface Model {

    /** The embedding of {@code text} (not necessarily unit length). */
    float[] embed(String text);
  }
}
