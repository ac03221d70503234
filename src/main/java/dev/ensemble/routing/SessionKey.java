package dev.ensemble.routing;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;

import java.nio.charset.StandardCharsets;

/**
 * Identifies the conversation a request belongs to: the client's {@code X-Ensemble-Session} when given,
 * otherwise a 64-bit FNV-1a fingerprint of the part of the prompt every turn of a conversation shares —
 * tools, system prompt and the first user turn.
 */
final class SessionKey {

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private SessionKey() {
  }

  static long of(UnifiedRequest request, String explicitSession) {
    if (explicitSession != null && !explicitSession.isEmpty()) {
      return hash(FNV_OFFSET ^ 0x5e55, explicitSession);
    }
    long h = FNV_OFFSET;
    for (ToolDefinition tool : request.tools()) {
      h = hash(h, tool.name());
      h = hash(h, tool.inputSchema().encode());
    }
    for (ContentBlock.Text block : request.system()) {
      h = hash(h, block.text());
    }
    for (Message m : request.messages()) {
      if (m.role() == Role.USER) {
        for (ContentBlock b : m.content()) {
          if (b instanceof ContentBlock.Text t) {
            h = hash(h, t.text());
          }
        }
        break;
      }
    }
    return h;
  }

  static long mix(long key, String endpointId) {
    long h = hash(key, endpointId);
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }

  private static long hash(long h, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    h ^= 0xff;
    return h * FNV_PRIME;
  }
}
