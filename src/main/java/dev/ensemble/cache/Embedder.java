package dev.ensemble.cache;

import io.vertx.core.Future;

/** Turns a text into a unit-length vector for the semantic cache. Implementations never block the caller's thread. */
public interface Embedder {

  /** The embedding of {@code text}, unit length; a failed future when the embedder cannot be reached. */
  Future<float[]> embed(String text);

  /** Scales {@code v} to unit length in place and returns it. */
  static float[] normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    double norm = Math.sqrt(sum);
    if (norm > 0) {
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] / norm);
      }
    }
    return v;
  }

  /** Cosine similarity of two unit vectors. */
  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }
}
