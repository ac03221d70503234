package dev.ensemble.ingress;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Someone following a response still in progress: a client of {@code /events} on this node ({@link EventFollower})
 * or another node of the fleet asking for it ({@link PeerResponses}). The journal calls it from its own event loop.
 */
interface Follower {

  /** Events after this {@code seq} are wanted ({@code -1}: all). */
  long afterSeq();

  /** The events already there, once, first. */
  void replay(List<JsonObject> events);

  /** A new event. */
  void event(JsonObject event);

  /** The response ended (or left the live registry): no more events. */
  void end();
}
