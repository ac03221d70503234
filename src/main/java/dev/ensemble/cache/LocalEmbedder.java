package dev.ensemble.cache;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.file.Path;

/**
 * A built-in embedding model ({@link EmbeddingModule}, e.g. {@code local/all-minilm-l6-v2}) as the cache's
 * {@link Embedder}: the model loads on the first embedding (about a second), natives extracted under
 * {@code nativeDir}; each embedding runs on a Vert.x worker thread (a few milliseconds for a short sentence), never on
 * an event loop. The loaded model is owned by this object, one per node.
 */
public final class LocalEmbedder implements Embedder {

  private final Vertx vertx;
  private final EmbeddingModule module;
  private final Path nativeDir;
  private volatile EmbeddingModule.Model model;

  public LocalEmbedder(Vertx vertx, EmbeddingModule module, Path nativeDir) {
    this.vertx = vertx;
    this.module = module;
    this.nativeDir = nativeDir;
  }

  @Override
  public Future<float[]> embed(String text) {
    return vertx.executeBlocking(() -> embedNow(text), false);
  }

  /** Embeds on the calling thread (the offline tuning tool and benchmarks). */
  public float[] embedNow(String text) {
    return Embedder.normalize(model().embed(text));
  }

  private EmbeddingModule.Model model() {
    EmbeddingModule.Model m = model;
    if (m == null) {
      synchronized (this) {
        m = model;
        if (m == null) {
          m = module.load(nativeDir);
          model = m;
        }
      }
    }
    return m;
  }
}
