package dev.ensemble.wire.responses;

import io.vertx.core.json.JsonObject;

/**
 * OpenAI's background mode as the gateway relays it: a non-streamed {@code background: true} call answers a
 * {@code response} object that is {@code queued} or {@code in_progress}; the client then polls
 * {@code GET /responses/{id}} until it is {@code completed}, {@code failed}, {@code cancelled} or {@code incomplete},
 * and may {@code POST /responses/{id}/cancel} it. These are the upstream paths and the reading of those objects.
 * Stateless.
 */
public final class Background {

  private Background() {
  }

  /** The upstream's id of {@code response} when it is a background response not finished yet, else null. */
  public static String pendingId(JsonObject response) {
    if (response == null || !Boolean.TRUE.equals(response.getValue("background"))) {
      return null;
    }
    return terminal(response.getString("status")) ? null : response.getString("id");
  }

  /** Whether a response with {@code status} will not change any more. */
  public static boolean terminal(String status) {
    return "completed".equals(status) || "failed".equals(status) || "cancelled".equals(status) || "incomplete".equals(status);
  }

  /** {@code GET} this path (under an OpenAI base URL) to read the response the upstream knows as {@code upstreamId}. */
  public static String retrievePath(String upstreamId) {
    return UpstreamResponses.PATH + "/" + upstreamId;
  }

  /** {@code POST} this path to cancel it. */
  public static String cancelPath(String upstreamId) {
    return retrievePath(upstreamId) + "/cancel";
  }

  /**
   * The upstream's object as the client is shown it: the id, model and {@code previous_response_id} of the object the
   * client was given when it created the response ({@code shown}), the rest as the upstream has it now.
   */
  public static JsonObject shown(JsonObject upstream, JsonObject shown) {
    return upstream.copy().put("id", shown.getValue("id")).put("model", shown.getValue("model"))
        .put("previous_response_id", shown.getValue("previous_response_id"));
  }
}
