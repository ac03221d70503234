package dev.ensemble.testing.fake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The fake's prompt-cache memory: which prompt prefixes each API key has sent, and when.
 *
 * <p>A prefix is identified by (API key, model, SHA-256 of the canonical prefix text); its size in
 * tokens is {@link Tokens#of} of its length. Only prefixes of at least {@link #MIN_CACHEABLE_TOKENS}
 * tokens are cached, as with the real providers' minimum (1024 tokens).
 *
 * <ul>
 *   <li>Anthropic (explicit breakpoints): the prompt is a list of canonical segments (tools, then
 *       system blocks, then message content blocks) and the breakpoints are the segments carrying
 *       {@code cache_control}. The longest breakpoint prefix seen within its TTL (5 minutes, or
 *       1 hour with {@code "ttl":"1h"}) is a cache read; the part of the last cacheable breakpoint
 *       prefix beyond it is a cache write; every cacheable breakpoint prefix is then remembered
 *       (a hit refreshes it).</li>
 *   <li>OpenAI (automatic): for a canonical prompt of at least 1024 tokens, the longest prefix of
 *       {@code 1024 + 128·k} tokens (4 chars each) seen within 5 minutes is {@code cached_tokens};
 *       every such boundary of the prompt is then remembered.</li>
 * </ul>
 */
final class PromptCache {

  static final int MIN_CACHEABLE_TOKENS = 1024;
  static final int OPENAI_INCREMENT_TOKENS = 128;
  static final long DEFAULT_TTL_MS = 5 * 60 * 1000L;
  static final long LONG_TTL_MS = 60 * 60 * 1000L;

  /** A prompt segment; {@code ttlMs} > 0 marks a cache breakpoint. */
  record Segment(String text, long ttlMs) {
  }

  /** Anthropic's split of the input tokens. */
  record Split(int input, int cacheRead, int cacheWrite) {
  }

  private final Map<String, Long> expiries = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  PromptCache(LongSupplier clock) {
    this.clock = clock;
  }

  void clear() {
    expiries.clear();
  }

  Split anthropic(String apiKey, String model, List<Segment> segments) {
    long now = clock.getAsLong();
    MessageDigest digest = sha256();
    int chars = 0;
    int read = 0;
    int lastCacheable = 0;
    String[] keys = new String[segments.size()];
    int[] tokensAt = new int[segments.size()];
    for (int i = 0; i < segments.size(); i++) {
      String text = segments.get(i).text() + "\n";
      digest.update(text.getBytes(StandardCharsets.UTF_8));
      chars += text.length();
      Segment segment = segments.get(i);
      if (segment.ttlMs() > 0 && Tokens.of(chars) >= MIN_CACHEABLE_TOKENS) {
        keys[i] = key(apiKey, model, clone(digest));
        tokensAt[i] = Tokens.of(chars);
        lastCacheable = tokensAt[i];
        if (alive(keys[i], now)) {
          read = tokensAt[i];
        }
      }
    }
    int total = Tokens.atLeastOne(chars);
    for (int i = 0; i < segments.size(); i++) {
      if (keys[i] != null) {
        expiries.put(keys[i], now + segments.get(i).ttlMs());
      }
    }
    int write = Math.max(0, lastCacheable - read);
    return new Split(Math.max(0, total - read - write), read, write);
  }

  int openAi(String apiKey, String model, String canonicalPrompt) {
    long now = clock.getAsLong();
    int total = Tokens.of(canonicalPrompt.length());
    if (total < MIN_CACHEABLE_TOKENS) {
      return 0;
    }
    MessageDigest digest = sha256();
    int cached = 0;
    int from = 0;
    for (int tokens = MIN_CACHEABLE_TOKENS; tokens * Tokens.CHARS_PER_TOKEN <= canonicalPrompt.length();
        tokens += OPENAI_INCREMENT_TOKENS) {
      int to = tokens * Tokens.CHARS_PER_TOKEN;
      digest.update(canonicalPrompt.substring(from, to).getBytes(StandardCharsets.UTF_8));
      from = to;
      String key = key(apiKey, model, clone(digest));
      if (alive(key, now)) {
        cached = tokens;
      }
      expiries.put(key, now + DEFAULT_TTL_MS);
    }
    return cached;
  }

  private boolean alive(String key, long now) {
    Long expiry = expiries.get(key);
    return expiry != null && expiry > now;
  }

  private static String key(String apiKey, String model, MessageDigest digest) {
    return apiKey + '\u0000' + model + '\u0000' + HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest clone(MessageDigest digest) {
    try {
      return (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
