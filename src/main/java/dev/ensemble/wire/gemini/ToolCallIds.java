package dev.ensemble.wire.gemini;

/**
 * Ids for Gemini function calls, which usually carry none: {@code call_<responseId>_<n>} for the n-th call of
 * an answer (0-based), or {@code call_<n>} when the answer has no {@code responseId}. The same answer always
 * gets the same ids, streamed or not, and answers with different response ids never share one. A call that
 * does carry an {@code id} keeps it.
 */
final class ToolCallIds {

  private final String responseId;
  private int next;

  ToolCallIds(String responseId) {
    this.responseId = responseId == null || responseId.isEmpty() ? null : responseId.replaceAll("[^A-Za-z0-9_-]", "_");
  }

  String next(String given) {
    int n = next++;
    if (given != null && !given.isEmpty()) {
      return given;
    }
    return responseId == null ? "call_" + n : "call_" + responseId + "_" + n;
  }
}
