package dev.ensemble.config;

import java.util.Map;

/**
 * {@code response_cache:} — node-wide settings of the response cache, plus each model's policy
 * ({@code models.<name>.response_cache}); routes carry their own ({@code routes.<name>.cache}).
 *
 * @param nativeDir        where the local embedder's native libraries (ONNX Runtime, tokenizers) are extracted;
 *                         empty: {@code natives/} next to the SQLite file, so read-only containers point it at a volume
 * @param localEmbedderJar where the optional local embedder module ({@code ensemble-local-embedder.jar}) is; empty:
 *                         next to the running {@code ensemble.jar}. Read only when a policy embeds with a {@code local/} model
 * @param auditLogMaxBytes size at which the audit log rotates
 * @param auditLogFiles    rotated audit files kept
 * @param models           model name to its policy, only for models that set one
 */
public record CacheConfig(String nativeDir, String localEmbedderJar, long auditLogMaxBytes, int auditLogFiles, Map<String, ResponseCacheConfig> models) {

  public static final CacheConfig DEFAULT = new CacheConfig("", "", 10 * 1024 * 1024, 5, Map.of());

  public CacheConfig {
    models = Map.copyOf(models);
  }

  public ResponseCacheConfig forModel(String model) {
    return models.getOrDefault(model, ResponseCacheConfig.NONE);
  }
}
