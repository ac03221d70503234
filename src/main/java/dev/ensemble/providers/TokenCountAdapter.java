package dev.ensemble.providers;

import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.buffer.Buffer;

/**
 * The count-tokens call of a provider type (Gemini's {@code :countTokens}, Anthropic's
 * {@code /v1/messages/count_tokens}), next to its {@link ProviderAdapter} (which still classifies the provider's
 * errors). Pure like it: no I/O, no credentials, never computes cost. The provider's tokenizer counts the prompt
 * as its chat call would see it: system, messages and tools.
 */
public interface TokenCountAdapter {

  /**
   * The upstream call counting {@code request}'s prompt at {@code upstreamModel}, or null when this provider has
   * no count call for that model (the gateway then estimates).
   */
  UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel);

  /**
   * Decodes a successful count.
   *
   * @throws UpstreamProtocolException when the body is not what the format promises
   */
  TokenCount fromUpstream(Buffer body);
}
