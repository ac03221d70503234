package dev.ensemble.providers;

import dev.ensemble.model.ImagesRequest;
import dev.ensemble.model.ImagesResponse;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.buffer.Buffer;

/**
 * The image-generation capability of a provider type, next to its {@link ProviderAdapter} (which still
 * classifies the provider's errors). Pure like it: no I/O, no credentials, never computes cost.
 */
public interface ImagesAdapter {

  /** The upstream request for {@code request}, naming the model as the provider knows it. */
  UpstreamCall toUpstream(ImagesRequest request, String upstreamModel);

  /**
   * Decodes a successful response body.
   *
   * @throws UpstreamProtocolException when the body is not what the format promises
   */
  ImagesResponse fromUpstream(Buffer body);
}
