package dev.ensemble.testing.fake;

import java.util.Objects;

/**
 * A {@link Reply} for the {@link FakeGemini}, with what only Gemini's format can say: a {@code RetryInfo}
 * delay and an {@code ErrorInfo} reason on errors, and a prompt blocked by {@code promptFeedback}.
 * Immutable. A plain {@link Reply} may be enqueued on the fake directly.
 */
public final class GeminiReply {

  final Reply reply;
  final String retryDelay;
  final String reason;
  final String blockReason;

  private GeminiReply(Reply reply, String retryDelay, String reason, String blockReason) {
    this.reply = Objects.requireNonNull(reply, "reply");
    this.retryDelay = retryDelay;
    this.reason = reason;
    this.blockReason = blockReason;
  }

  public static GeminiReply of(Reply reply) {
    return new GeminiReply(reply, null, null, null);
  }

  /**
   * An error in Google's format; {@code status} is the canonical status ({@code RESOURCE_EXHAUSTED},
   * {@code UNAVAILABLE}, ...) or a type of another vocabulary ({@code rate_limit_error}), translated.
   */
  public static GeminiReply error(int code, String status, String message) {
    return of(Reply.error(code, status, message));
  }

  /** 200 with no candidates: {@code promptFeedback.blockReason} (e.g. {@code SAFETY}, {@code PROHIBITED_CONTENT}). */
  public static GeminiReply blockedPrompt(String blockReason) {
    return new GeminiReply(Reply.text(""), null, null, Objects.requireNonNull(blockReason, "blockReason"));
  }

  /** Adds {@code {"@type": "...RetryInfo", "retryDelay": delay}} (e.g. {@code "3s"}) to the error's details. */
  public GeminiReply retryDelay(String delay) {
    return new GeminiReply(reply, delay, reason, blockReason);
  }

  /** Adds an {@code ErrorInfo} detail with this {@code reason} (e.g. {@code API_KEY_INVALID}). */
  public GeminiReply reason(String errorInfoReason) {
    return new GeminiReply(reply, retryDelay, errorInfoReason, blockReason);
  }
}
