package dev.ensemble.providers;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.buffer.Buffer;

/**
 * The embeddings capability of a provider type, next to its {@link ProviderAdapter} (which still classifies
 * the provider's errors). Pure like it: no I/O, no credentials, never computes cost.
 */
public interface EmbeddingsAdapter {

  /** The upstream request for {@code request}, naming the model as the provider knows it. */
  UpstreamCall toUpstream(EmbeddingsRequest request, String upstreamModel);

  /**
   * Decodes a successful response body to the answer of {@code request}: an upstream that cannot honour a field
   * itself (Gemini: {@code encoding_format}, token counts) has it filled in here.
   *
   * @throws UpstreamProtocolException when the body is not what the format promises
   */
  EmbeddingsResponse fromUpstream(EmbeddingsRequest request, Buffer body);
}
