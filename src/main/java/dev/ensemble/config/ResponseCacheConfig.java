package dev.ensemble.config;

/**
 * A response cache policy: {@code routes.<name>.cache} or {@code models.<name>.response_cache}. Off unless
 * {@code type} is {@code exact} or {@code semantic}.
 *
 * @param type            {@code none}, {@code exact} or {@code semantic}
 * @param threshold       cosine similarity a semantic hit needs, in (0, 1]
 * @param ttlSeconds      how long an entry is served
 * @param embeddingModel  {@code local/all-minilm-l6-v2} or an embedding model of the catalog (semantic only)
 * @param auditSampleRate share of hits re-asked upstream in the background, in [0, 1]
 * @param maxEntries      most entries this policy keeps (oldest evicted first)
 * @param shared          whether every client shares the entries (default: each client has its own)
 * @param toolCalls       whether answers that call tools are stored
 * @param sampled         whether requests with an explicit {@code temperature > 0} are cached
 */
public record ResponseCacheConfig(String type, double threshold, long ttlSeconds, String embeddingModel, double auditSampleRate,
    int maxEntries, boolean shared, boolean toolCalls, boolean sampled) {

  /** The built-in embedder: all-MiniLM-L6-v2 (quantized) running in the JVM. */
  public static final String LOCAL_EMBEDDER = "local/all-minilm-l6-v2";

  public static final ResponseCacheConfig NONE = new ResponseCacheConfig("none", 0.94, 86_400, "", 0, 10_000, false, false, false);

  public boolean enabled() {
    return !"none".equals(type);
  }

  public boolean semantic() {
    return "semantic".equals(type);
  }

  /** The embedder a semantic policy uses: its {@code embedding_model}, or the built-in one when none is named. */
  public String embedder() {
    return embeddingModel.isEmpty() ? LOCAL_EMBEDDER : embeddingModel;
  }
}
