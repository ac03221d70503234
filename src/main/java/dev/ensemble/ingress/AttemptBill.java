package dev.ensemble.ingress;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.StreamedUsage;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.Usage;
import dev.ensemble.pricing.CostCalculator;
import dev.ensemble.routing.PromptSize;
import dev.ensemble.wire.StreamDecoder;

import java.math.BigDecimal;

/**
 * What one {@link UpstreamAttempt} is billed: the usage it ends with and its cost. A whole answer or a stream's end
 * event brings the upstream's own usage ({@link #reportedAtEnd}); a stream that ended before it (the upstream broke it,
 * the client or the node's drain ended it) is billed with what the upstream reported up to there and an estimate for
 * what it could not report yet ({@link #cutShort}). The usage is priced once for the end event and the attempt's
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
  /** The output count the stream's first event reported (null: none), a count of no text yet. */
  private Long startOutput;
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

  /** The stream began with {@code atStart}, the usage its first event reported (Anthropic's {@code message_start}). */
  void started(Usage atStart) {
    startOutput = atStart == null ? null : atStart.output();
  }

  /**
   * The stream ended before the upstream's final usage report (the upstream cut it or sent an error, the client or the
   * node's drain ended it): billed with what the upstream reported up to there (its decoder's latest cumulative counts),
   * the rest estimated ({@link StreamedUsage#estimate}): input from the prompt, output from the characters streamed. An
   * output count reported after the stream's first event (OpenAI's usage chunk, Anthropic's {@code message_delta},
   * Gemini's {@code usageMetadata}) is the provider's and is kept as it is; the one of the first event counts no text.
   */
  void cutShort() {
    Usage reported = usage.mergedWith(reported());
    boolean outputReportedSinceStart = reported.output() != null && !reported.output().equals(startOutput);
    usage = StreamedUsage.estimate(reported, PromptSize.tokens(request), outputReportedSinceStart ? 0 : streamedChars);
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
