package dev.ensemble.ingress;

import dev.ensemble.config.ModelKind;
import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.Usage;
import dev.ensemble.providers.TokenCountAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.routing.PromptSize;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.ClientDialect;
import io.vertx.core.buffer.Buffer;

import java.math.BigDecimal;

/**
 * A count-tokens call (Gemini's {@code :countTokens}): routed like a chat to the model's providers, answered by the
 * selected provider's own count call when it has one ({@link TokenCountAdapter}: Gemini, Vertex AI for Google's
 * models, Anthropic), else by the gateway's estimate ({@link PromptSize}, four characters a token) without any
 * upstream call. Counting costs nothing and uses no tokens: the ledger row of an upstream count carries zero tokens
 * and zero cost, and routing sees a prompt-less request so no token limit is taken, only one request of the
 * endpoint's {@code rpm_limit}. Whether the last answer was estimated is {@link #estimated()}. Confined to the
 * exchange's event loop.
 */
final class TokenCountOperation implements Operation {

  private static final Usage NO_TOKENS = new Usage(0L, 0L, null, null);

  private final ClientDialect dialect;
  private final UnifiedRequest prompt;
  private boolean estimated;

  TokenCountOperation(ClientDialect dialect, UnifiedRequest prompt) {
    this.dialect = dialect;
    this.prompt = prompt;
  }

  /** Whether the answer is the gateway's estimate rather than the provider's count. */
  boolean estimated() {
    return estimated;
  }

  @Override
  public ModelKind kind() {
    return ModelKind.CHAT;
  }

  @Override
  public UnifiedRequest routingView() {
    return UnifiedRequest.builder(prompt.model()).maxTokens(0).build();
  }

  @Override
  public Operation withModel(String model) {
    return new TokenCountOperation(dialect, prompt.toBuilder().model(model).build());
  }

  @Override
  public Answer local(Selection selection) {
    TokenCountAdapter counts = selection.pool().capabilities().tokenCounts();
    if (counts != null && counts.toUpstream(prompt, selection.upstreamModel()) != null) {
      return null;
    }
    estimated = true;
    return new Answer(dialect.encodeTokenCount(TokenCount.estimate(PromptSize.tokens(prompt))), NO_TOKENS, null, BigDecimal.ZERO);
  }

  @Override
  public UpstreamCall toUpstream(Selection selection) {
    return selection.pool().capabilities().tokenCounts().toUpstream(prompt, selection.upstreamModel());
  }

  @Override
  public Answer decode(Selection selection, Buffer body) {
    estimated = false;
    TokenCount count = selection.pool().capabilities().tokenCounts().fromUpstream(body);
    return new Answer(dialect.encodeTokenCount(count), NO_TOKENS, null, BigDecimal.ZERO);
  }
}
