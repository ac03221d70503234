package dev.ensemble.bench;

import dev.ensemble.config.CacheMode;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.Usage;

import java.util.HashMap;
import java.util.Map;

/**
 * One cache domain's (provider + key) prompt cache, simulated with the provider's semantics, over prompts
 * described exactly (not by the router's fingerprints): block 0 is a shared system prompt, blocks 1..n a
 * session's messages, so a prefix is identified by (system prompt, session, blocks).
 * <ul>
 *   <li>{@link CacheMode#EXPLICIT} (Anthropic): breakpoints on the system block and on the last message. A
 *       request reads the longest live entry at a block boundary within {@value #LOOKBACK_BLOCKS} blocks before
 *       (or at) a breakpoint, and refreshes the TTL of what it read; it then writes an entry at every breakpoint
 *       past that hit whose prefix has at least {@code minTokens}, paying the cache-write price for the tokens
 *       between the hit and its last breakpoint.</li>
 *   <li>{@link CacheMode#AUTOMATIC} (OpenAI): every prompt of at least {@code minTokens} is cached; a request
 *       reads the longest common prefix with a live cached prompt, counted as {@code minTokens} plus whole
 *       128-token steps; nothing extra is paid to write (cache writes are not reported).</li>
 * </ul>
 */
final class SimulatedPromptCache {

  static final int LOOKBACK_BLOCKS = 20;
  static final int AUTOMATIC_STEP = 128;

  /** What one request did to the cache: tokens read and written, and whether it wrote an entry. */
  record Outcome(Usage usage, int entriesWritten) {}

  private final Map<Long, Long> expiries = new HashMap<>();
  private final Map<Long, Integer> sessionPrompt = new HashMap<>();

  /**
   * @param blockTokens prefix tokens at the end of each block (block 0 = system prompt), cumulative
   * @param outputTokens the answer's tokens
   */
  Outcome serve(ModelConfig.CacheSettings cache, int systemId, long sessionId, int[] blockTokens, int outputTokens, long nowMillis) {
    return cache.mode() == CacheMode.EXPLICIT
        ? explicit(cache, systemId, sessionId, blockTokens, outputTokens, nowMillis)
        : automatic(cache, systemId, sessionId, blockTokens, outputTokens, nowMillis);
  }

  private Outcome explicit(ModelConfig.CacheSettings cache, int systemId, long sessionId, int[] blockTokens, int output, long now) {
    int last = blockTokens.length - 1;
    int total = blockTokens[last];
    int[] breakpoints = last == 0 ? new int[] {0} : new int[] {0, last};
    int hit = -1;
    for (int b : breakpoints) {
      for (int p = b; p >= Math.max(0, b - LOOKBACK_BLOCKS); p--) {
        if (p > hit && live(key(systemId, sessionId, p), now)) {
          hit = p;
        }
      }
    }
    long ttl = cache.ttlSeconds() * 1000L;
    for (int b : breakpoints) {
      if (b <= hit && live(key(systemId, sessionId, b), now)) {
        expiries.put(key(systemId, sessionId, b), now + ttl);
      }
    }
    if (hit >= 0) {
      expiries.put(key(systemId, sessionId, hit), now + ttl);
    }
    int read = hit < 0 ? 0 : blockTokens[hit];
    int writtenUpTo = read;
    int entries = 0;
    for (int b : breakpoints) {
      if (b > hit && blockTokens[b] >= cache.minTokens()) {
        expiries.put(key(systemId, sessionId, b), now + ttl);
        writtenUpTo = blockTokens[b];
        entries++;
      }
    }
    int write = writtenUpTo - read;
    return new Outcome(new Usage((long) (total - read - write), (long) output, (long) read, (long) write), entries);
  }

  private Outcome automatic(ModelConfig.CacheSettings cache, int systemId, long sessionId, int[] blockTokens, int output, long now) {
    int total = blockTokens[blockTokens.length - 1];
    int common = 0;
    long sessionKey = key(systemId, sessionId, 1);
    long systemKey = key(systemId, sessionId, 0);
    if (live(sessionKey, now)) {
      common = Math.min(sessionPrompt.get(sessionKey), total);
    }
    if (live(systemKey, now)) {
      common = Math.max(common, blockTokens[0]);
    }
    int read = common < cache.minTokens() ? 0 : cache.minTokens() + (common - cache.minTokens()) / AUTOMATIC_STEP * AUTOMATIC_STEP;
    int entries = 0;
    if (total >= cache.minTokens()) {
      long expiry = now + cache.ttlSeconds() * 1000L;
      entries = read < total ? 1 : 0;
      expiries.put(sessionKey, expiry);
      sessionPrompt.put(sessionKey, total);
      if (blockTokens[0] >= cache.minTokens()) {
        expiries.put(systemKey, expiry);
      }
    }
    return new Outcome(new Usage((long) (total - read), (long) output, (long) read, null), entries);
  }

  private boolean live(long key, long now) {
    Long expiry = expiries.get(key);
    return expiry != null && expiry > now;
  }

  /** The system prompt alone (block 0, shared by sessions), or a session's prompt up to {@code block}. */
  private static long key(int systemId, long sessionId, int block) {
    return block == 0 ? -1L - systemId : sessionId << 12 | block;
  }
}
