package dev.ensemble.providers;

import dev.ensemble.model.Passthrough;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * Translates between the unified model and one provider wire format. Pure: no I/O, no credentials, no
 * Vert.x instance needed, safe to share between threads. Cost is never computed here.
 */
public interface ProviderAdapter {

  /** The upstream model ids this provider type could have; a {@code provider/model} outside them is refused unsent. */
  default ModelIds modelIds() {
    return ModelIds.IN_BODY;
  }

  /**
   * The adapter that sends {@code passthrough} to this provider in its client's own format, or null when this provider
   * cannot take it as is (the default): routing keeps a request whose passthrough is required away from such
   * providers, and sends one whose passthrough is only preferred in the unified form.
   */
  default ProviderAdapter passthrough(Passthrough passthrough) {
    return null;
  }

  /** The upstream request for {@code request}, naming the model as the provider knows it. */
  UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel);

  /**
   * Decodes a successful non-streamed response body.
   *
   * @throws UpstreamProtocolException when the body is not what the format promises
   * @throws dev.ensemble.model.GatewayError when the upstream refused the request for a reason that is the
   *                                          client's (e.g. a prompt blocked by a safety filter): returned as is
   */
  UnifiedResponse fromUpstream(Buffer body);

  /** A fresh decoder for one streamed response. */
  StreamDecoder newStreamDecoder();

  /**
   * When a successful response's rate-limit headers say a limit of this key is used up, how many
   * milliseconds until it resets; {@code null} while capacity remains or the provider says nothing. Lets
   * routing stop sending there before the provider answers 429. Never throws.
   */
  default Long exhaustedForMillis(MultiMap headers) {
    return null;
  }

  /** Classifies a failed call from its status, headers and the error's type/code fields. Never throws. */
  ProviderError classify(int status, MultiMap headers, Buffer body);
}
