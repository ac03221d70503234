package dev.ensemble.model;

/**
 * The usage billed for a streamed answer that ended without the provider's final usage report: the upstream cut it
 * (connection reset, idle timeout, an error event after some output), the node's drain or the client ended it, or the
 * node stopped while it was in flight (crash-journal recovery). Every count the provider reported up to there stays;
 * what it did not report is estimated: input from the prompt (4 characters a token, as routing estimates it), output
 * from the characters streamed (text, thinking and tool arguments), 4 a token rounded up. A running output count
 * reported before the end of the text (Anthropic's {@code message_start}, Gemini's {@code usageMetadata} of an earlier
 * chunk) counts only the text before it, so output is the larger of it and the estimate. The one estimator of the live
 * stream path ({@code ingress.AttemptBill}) and of crash recovery ({@code persistence.JournalRecovery}).
 */
public final class StreamedUsage {

  private StreamedUsage() {
  }

  /** Output tokens estimated from {@code chars} streamed characters: 4 a token, rounded up. */
  public static long outputTokens(long chars) {
    return (chars + 3) / 4;
  }

  /**
   * The usage of an answer cut short: {@code reported} (what the provider reported so far; {@link Usage#UNKNOWN} for
   * nothing) with its input, when missing, {@code promptTokens}, and its output the larger of the reported count and
   * {@link #outputTokens} of {@code streamedChars}. Pass 0 characters when the reported output already covers all the
   * text streamed (it came after it), so that a count the provider reported is never replaced by an estimate.
   */
  public static Usage estimate(Usage reported, long promptTokens, long streamedChars) {
    Usage soFar = reported == null ? Usage.UNKNOWN : reported;
    long output = Math.max(Usage.orZero(soFar.output()), outputTokens(streamedChars));
    return new Usage(soFar.input() != null ? soFar.input() : Long.valueOf(promptTokens), output, soFar.cacheRead(),
        soFar.cacheWrite(), soFar.reasoning());
  }
}
