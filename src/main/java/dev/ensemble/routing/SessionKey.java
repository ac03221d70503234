package dev.ensemble.routing;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;


/**
 * Identifies the conversation a request belongs to, for rendezvous hashing: the client's
 * {@code X-Ensemble-Session} when given, otherwise the part of the prompt every turn of a conversation
 * shares — tool names, system prompt and the first user turn. Built from {@link String#hashCode()}s (cached
 * by long-lived strings, a tight loop for new ones) mixed into 64 bits: two conversations that collide only
 * share an endpoint choice, so speed wins over collision resistance here (the cache fingerprints are the
 * collision-resistant hashes).
 */
final class SessionKey {

  private static final long SEED = 0x5e55_10e5_cafe_f00dL;

  private SessionKey() {
  }

  static long of(UnifiedRequest request, String explicitSession) {
    if (explicitSession != null && !explicitSession.isEmpty()) {
      return step(step(SEED ^ 0x5e55, explicitSession.hashCode()), explicitSession.length());
    }
    long h = SEED;
    for (ToolDefinition tool : request.tools()) {
      h = step(h, tool.name().hashCode());
    }
    for (ContentBlock.Text block : request.system()) {
      h = step(step(h, block.text().hashCode()), block.text().length());
    }
    for (Message m : request.messages()) {
      if (m.role() == Role.USER) {
        for (ContentBlock b : m.content()) {
          if (b instanceof ContentBlock.Text t) {
            h = step(step(h, t.text().hashCode()), t.text().length());
          }
        }
        break;
      }
    }
    return h;
  }

  /** The key combined with an endpoint, well mixed, for the endpoint's rendezvous score. */
  static long mix(long key, String endpointId) {
    long h = step(key, endpointId.hashCode());
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  private static long step(long h, int value) {
    h ^= value & 0xffffffffL;
    h *= 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 29);
  }
}
