package dev.ensemble.ingress;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.Usage;
import dev.ensemble.pricing.CostCalculator;
import dev.ensemble.routing.PromptSize;
import dev.ensemble.wire.StreamDecoder;

import java.math.BigDecimal;

/**
 * What one {@link UpstreamAttempt} is billed: the usage it ends with and its cost. A whole answer or a stream's end
 * event brings the upstream's own usage ({@link #reportedAtEnd}); a stream that broke is billed with what the upstream
 * reported up to the break ({@link #upToBreak}); one the client (or the node's drain) cut short with an estimate for
 * what it could not report yet ({@link #partial}). The usage is priced once for the end event and the attempt's
 * result together.
 *
 * <p>Owned by its attempt, on the event loop of the client's connection: no synchronisation.
 */
final class AttemptBill {

  private final UnifiedRequest request;
  private final ModelConfig.Pricing pricing;
  private Usage usage = Usage.UNKNOWN;
  /** The stream's decoder, which keeps the usage the upstream reported so far; null until the stream begins. */
  private StreamDecoder decoder;
  /** Text, thinking and tool-argument characters streamed to the client so far. */
  private long streamedChars;
  /** The usage last priced, and its cost. */
  private Usage pricedUsage;
  private BigDecimal pricedCost;

  AttemptBill(UnifiedRequest request, ModelConfig.Pricing pricing) {
    this.request = request;
    this.pricing = pricing;
  }

  /** The stream began: its decoder keeps what the upstream reports as it goes. */
  void streamFrom(StreamDecoder decoder) {
    this.decoder = decoder;
  }

  /** Counts the characters of a delta the client is shown. */
  void shown(StreamEvent.BlockDelta delta) {
    streamedChars += delta.text() != null ? delta.text().length() : delta.partialJson() != null ? delta.partialJson().length() : 0;
  }

  /** The upstream's own usage for the whole answer (a non-streamed answer's, a stream's end event's); null is unknown. */
  void reportedAtEnd(Usage reported) {
    usage = reported == null ? Usage.UNKNOWN : reported;
  }

  /**
   * The stream broke: billed with the usage the upstream reported up to there (its decoder's latest cumulative counts;
   * nothing for an OpenAI stream, whose usage comes last).
   */
  void upToBreak() {
    usage = usage.mergedWith(reported());
  }

  /**
   * The answer was cut short by the client or the node: the upstream reports its final usage only at the end of a
   * stream, so input and cache tokens are those it reported so far (Anthropic's {@code message_start}, Gemini's last
   * {@code usageMetadata}) or else the prompt estimate (4 characters a token), and output is the larger of what it
   * reported so far and the streamed characters at 4 characters a token, rounded up.
   */
  void partial() {
    Usage reported = reported();
    Long input = reported.input() != null ? reported.input() : Long.valueOf(PromptSize.tokens(request));
    long estimatedOutput = (streamedChars + 3) / 4;
    long output = Math.max(Usage.orZero(reported.output()), estimatedOutput);
    usage = new Usage(input, output, reported.cacheRead(), reported.cacheWrite());
  }

  Usage usage() {
    return usage;
  }

  /** The cost of {@link #usage()}, priced once per usage. */
  BigDecimal cost() {
    if (usage != pricedUsage) {
      pricedCost = CostCalculator.cost(usage, pricing);
      pricedUsage = usage;
    }
    return pricedCost;
  }

  long streamedChars() {
    return streamedChars;
  }

  private Usage reported() {
    return decoder == null ? Usage.UNKNOWN : decoder.reported();
  }
}
