package dev.ensemble.providers;

import dev.ensemble.config.ModelKind;

/**
 * What a provider type can do besides chat: each capability's adapter, or null when the type has none.
 * Routing asks {@link #supports} to skip providers that cannot serve a request's kind of model. A type without
 * {@code tokenCounts} still answers a count-tokens call: the gateway estimates the count itself.
 */
public record ProviderCapabilities(EmbeddingsAdapter embeddings, ImagesAdapter images, TokenCountAdapter tokenCounts) {

  /** Chat only. */
  public static final ProviderCapabilities CHAT_ONLY = new ProviderCapabilities(null, null, null);

  /** Embeddings and images, no count-tokens call. */
  public ProviderCapabilities(EmbeddingsAdapter embeddings, ImagesAdapter images) {
    this(embeddings, images, null);
  }

  public boolean supports(ModelKind kind) {
    return switch (kind) {
      case CHAT -> true;
      case EMBEDDING -> embeddings != null;
      case IMAGE -> images != null;
    };
  }
}
