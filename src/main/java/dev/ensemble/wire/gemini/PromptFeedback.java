package dev.ensemble.wire.gemini;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import io.vertx.core.json.JsonObject;

/** {@code promptFeedback.blockReason}: Gemini refused the prompt itself, answering 200 with no candidates. */
final class PromptFeedback {

  private PromptFeedback() {
  }

  /** The client error for a blocked prompt (a 400, not retryable), or {@code null} when the prompt was not blocked. */
  static GatewayError blocked(JsonObject response) {
    JsonObject feedback = UpstreamJson.object(response, "promptFeedback");
    String reason = feedback == null ? null : UpstreamJson.string(feedback, "blockReason");
    if (reason == null || reason.equals("BLOCK_REASON_UNSPECIFIED")) {
      return null;
    }
    String detail = UpstreamJson.string(feedback, "blockReasonMessage");
    return new GatewayError(ErrorType.INVALID_REQUEST, 400,
        "The prompt was blocked by the provider's content filter (" + reason + ")" + (detail == null ? "" : ": " + detail),
        false, null, null);
  }
}
