package dev.ensemble.routing.affinity;

import dev.ensemble.config.CacheMode;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;

import java.util.List;

/**
 * Fingerprints the prefixes of a prompt that a provider's prompt cache may hold, so the router can send a
 * request to the cache domain (endpoint and model) that most likely holds the longest of them.
 *
 * <h2>Canonical prefix</h2>
 * The prompt is read in the order providers lay it out: tools (name, description, input schema), system
 * blocks, then each message (role, then each block: text; image or document source, a URL or the hash of
 * the inline base64 data; tool-use id, name and arguments text; tool-result id, error flag and content;
 * thinking text or redacted data). Only the unified model is read, so the same conversation hashes the same
 * whether it arrived in OpenAI or Anthropic format. {@code cacheControl} markers are not hashed: a prompt
 * with or without a marker is the same bytes to the cache; markers only decide where checkpoints are.
 * Sampling parameters, {@code tool_choice} and {@code thinking} settings are not part of the fingerprint.
 *
 * <h2>Hash</h2>
 * One pass with a running 64-bit state (see {@link PrefixHasher}) that is snapshotted at each checkpoint,
 * so a request of n characters costs O(n) however many checkpoints it has. Every element is tagged and
 * every string length-prefixed, so {@code ("ab", "c")} and {@code ("a", "bc")} differ. The hash is fast and
 * well mixed but not cryptographic: for unrelated prompts, two prefixes collide with odds about 2^-64 (about
 * 2^-25 that any two of a billion distinct prefixes do), and a checkpoint falsely matches another entry of
 * an {@link AffinityTable} with odds about 2^-56 (it compares 60 bits in a window of 16 slots). A crafted
 * collision only misroutes a request to a colder cache; it
 * never changes what is sent. Fingerprints are seeded with a scope (by default the requested model name),
 * so the same prompt sent to two models, whose caches are separate, gets different fingerprints.
 *
 * <h2>Token estimate</h2>
 * Characters of the canonical content / 4, rounded up (JSON schemas count about their encoded length), plus
 * a flat {@value #MEDIA_TOKENS} tokens per image or document. Inline media data is hashed but not counted.
 * The estimate is compared with the provider's minimum cacheable length and used to value a cache hit.
 *
 * <h2>Checkpoints</h2>
 * <ul>
 *   <li>{@link CacheMode#AUTOMATIC}: lookups at every message boundary (after tools and system, after
 *   message 1, 2, ...), longest first, capped at the last {@value #MAX_MESSAGE_LOOKUPS} message boundaries
 *   plus the tools-and-system boundary; writes at the tools-and-system boundary and at the end of the prompt.
 *   <li>{@link CacheMode#EXPLICIT}: writes at the end of each block carrying a breakpoint
 *   (tools, system blocks, message blocks); lookups at each breakpoint and every block boundary up to
 *   {@value #LOOKBACK_BLOCKS} blocks before it, longest first, without duplicates.
 * </ul>
 * Checkpoints of fewer than {@code minTokens} estimated tokens (or of none) are left out.
 *
 * <p>Why these places: a follow-up turn's prompt extends the previous turn's prompt, so its message boundary
 * right after the previous prompt's end (automatic), or a block boundary within the lookback of its moved
 * breakpoint (explicit), equals the write checkpoint the previous request recorded. And many sessions that
 * share a long system prompt (and tools) meet at the tools-and-system checkpoint even on their first turn.
 *
 * <p>Stateless and thread-safe; each call allocates a hasher and the result arrays only.
 */
public final class PrefixFingerprinter {

  /** Estimated tokens of one image or document. */
  public static final int MEDIA_TOKENS = 1_600;
  /** Anthropic's lookback: a breakpoint also reads entries written this many blocks before it. */
  public static final int LOOKBACK_BLOCKS = 20;
  /** Message boundaries looked up in automatic mode, besides the tools-and-system boundary. */
  public static final int MAX_MESSAGE_LOOKUPS = 64;

  private static final long[] NO_HASHES = new long[0];
  private static final int[] NO_TOKENS = new int[0];

  /** Fingerprints {@code request}, scoped to its requested model. */
  public Fingerprints fingerprint(UnifiedRequest request, CacheMode mode, int minTokens) {
    return fingerprint(request, mode, minTokens, seed(request.model()));
  }

  /** Fingerprints {@code request} in the scope {@code seed} (see {@link #seed(String)}). */
  public Fingerprints fingerprint(UnifiedRequest request, CacheMode mode, int minTokens, long seed) {
    int threshold = Math.max(1, minTokens);
    PrefixHasher hasher = new PrefixHasher(seed);
    return mode == CacheMode.EXPLICIT
        ? explicit(request, hasher, threshold)
        : automatic(request, hasher, threshold);
  }

  /** The seed of a fingerprint scope, e.g. an upstream model name when several client names share it. */
  public static long seed(String scope) {
    return PrefixHasher.seedOf(scope);
  }

  private static Fingerprints automatic(UnifiedRequest request, PrefixHasher hasher, int threshold) {
    List<Message> messages = request.messages();
    int boundaries = messages.size() + 1;
    long[] hashes = new long[boundaries];
    int[] tokens = new int[boundaries];
    for (ToolDefinition tool : request.tools()) {
      tool(hasher, tool);
    }
    for (ContentBlock.Text block : request.system()) {
      system(hasher, block);
    }
    hashes[0] = hasher.snapshot();
    tokens[0] = hasher.tokens();
    for (int m = 0; m < messages.size(); m++) {
      Message message = messages.get(m);
      hasher.word(PrefixHasher.MESSAGE + message.role().ordinal());
      for (ContentBlock block : message.content()) {
        block(hasher, block);
      }
      hashes[m + 1] = hasher.snapshot();
      tokens[m + 1] = hasher.tokens();
    }
    int last = boundaries - 1;
    int oldestMessage = Math.max(1, last - MAX_MESSAGE_LOOKUPS + 1);
    int lookups = 0;
    for (int b = last; b >= oldestMessage; b--) {
      lookups += tokens[b] >= threshold ? 1 : 0;
    }
    lookups += tokens[0] >= threshold ? 1 : 0;
    long[] lookupHashes = lookups == 0 ? NO_HASHES : new long[lookups];
    int[] lookupTokens = lookups == 0 ? NO_TOKENS : new int[lookups];
    int n = 0;
    for (int b = last; b >= oldestMessage; b--) {
      if (tokens[b] >= threshold) {
        lookupHashes[n] = hashes[b];
        lookupTokens[n++] = tokens[b];
      }
    }
    if (tokens[0] >= threshold) {
      lookupHashes[n] = hashes[0];
      lookupTokens[n] = tokens[0];
    }
    int writes = (tokens[last] >= threshold ? 1 : 0) + (last > 0 && tokens[0] >= threshold ? 1 : 0);
    long[] writeHashes = writes == 0 ? NO_HASHES : new long[writes];
    int[] writeTokens = writes == 0 ? NO_TOKENS : new int[writes];
    n = 0;
    if (tokens[last] >= threshold) {
      writeHashes[n] = hashes[last];
      writeTokens[n++] = tokens[last];
    }
    if (last > 0 && tokens[0] >= threshold) {
      writeHashes[n] = hashes[0];
      writeTokens[n] = tokens[0];
    }
    return new Fingerprints(lookupHashes, lookupTokens, writeHashes, writeTokens, tokens[last]);
  }

  private static Fingerprints explicit(UnifiedRequest request, PrefixHasher hasher, int threshold) {
    int blocks = request.tools().size() + request.system().size();
    for (Message message : request.messages()) {
      blocks += message.content().size();
    }
    long[] hashes = new long[blocks];
    int[] tokens = new int[blocks];
    boolean[] breakpoint = new boolean[blocks];
    int b = 0;
    for (ToolDefinition tool : request.tools()) {
      tool(hasher, tool);
      breakpoint[b] = tool.cacheControl() != null;
      hashes[b] = hasher.snapshot();
      tokens[b++] = hasher.tokens();
    }
    for (ContentBlock.Text block : request.system()) {
      system(hasher, block);
      breakpoint[b] = block.cacheControl() != null;
      hashes[b] = hasher.snapshot();
      tokens[b++] = hasher.tokens();
    }
    for (Message message : request.messages()) {
      hasher.word(PrefixHasher.MESSAGE + message.role().ordinal());
      for (ContentBlock block : message.content()) {
        block(hasher, block);
        breakpoint[b] = cacheControl(block) != null;
        hashes[b] = hasher.snapshot();
        tokens[b++] = hasher.tokens();
      }
    }
    int lookups = 0;
    int writes = 0;
    int covered = Integer.MAX_VALUE;
    for (int i = blocks - 1; i >= 0; i--) {
      if (breakpoint[i]) {
        covered = i - LOOKBACK_BLOCKS;
        writes += tokens[i] >= threshold ? 1 : 0;
      }
      lookups += i >= covered && tokens[i] >= threshold ? 1 : 0;
    }
    long[] lookupHashes = lookups == 0 ? NO_HASHES : new long[lookups];
    int[] lookupTokens = lookups == 0 ? NO_TOKENS : new int[lookups];
    long[] writeHashes = writes == 0 ? NO_HASHES : new long[writes];
    int[] writeTokens = writes == 0 ? NO_TOKENS : new int[writes];
    int l = 0;
    int w = 0;
    covered = Integer.MAX_VALUE;
    for (int i = blocks - 1; i >= 0; i--) {
      if (tokens[i] < threshold) {
        break;
      }
      if (breakpoint[i]) {
        covered = i - LOOKBACK_BLOCKS;
        writeHashes[w] = hashes[i];
        writeTokens[w++] = tokens[i];
      }
      if (i >= covered) {
        lookupHashes[l] = hashes[i];
        lookupTokens[l++] = tokens[i];
      }
    }
    return new Fingerprints(lookupHashes, lookupTokens, writeHashes, writeTokens, hasher.tokens());
  }

  private static void tool(PrefixHasher hasher, ToolDefinition tool) {
    hasher.word(PrefixHasher.TOOL);
    hasher.string(tool.name());
    hasher.optString(tool.description());
    hasher.json(tool.inputSchema());
  }

  private static void system(PrefixHasher hasher, ContentBlock.Text block) {
    hasher.word(PrefixHasher.SYSTEM);
    hasher.string(block.text());
  }

  private static void block(PrefixHasher hasher, ContentBlock block) {
    if (block instanceof ContentBlock.Text text) {
      hasher.word(PrefixHasher.TEXT);
      hasher.string(text.text());
    } else if (block instanceof ContentBlock.Image image) {
      hasher.word(PrefixHasher.IMAGE);
      source(hasher, image.source());
    } else if (block instanceof ContentBlock.Document document) {
      hasher.word(PrefixHasher.DOCUMENT);
      source(hasher, document.source());
      hasher.optString(document.title());
    } else if (block instanceof ContentBlock.ToolUse use) {
      hasher.word(PrefixHasher.TOOL_USE);
      hasher.string(use.id());
      hasher.string(use.name());
      hasher.string(use.inputJson());
    } else if (block instanceof ContentBlock.ToolResult result) {
      hasher.word(PrefixHasher.TOOL_RESULT);
      hasher.string(result.toolUseId());
      hasher.word(result.isError() ? 1 : 0);
      hasher.word(result.content().size());
      for (ContentBlock inner : result.content()) {
        block(hasher, inner);
      }
    } else if (block instanceof ContentBlock.Thinking thinking) {
      hasher.word(PrefixHasher.THINKING);
      hasher.optString(thinking.thinking());
      hasher.optString(thinking.redactedData());
    }
  }

  private static void source(PrefixHasher hasher, MediaSource source) {
    if (source.isUrl()) {
      hasher.word(0);
      hasher.string(source.url());
    } else {
      hasher.word(1);
      hasher.optString(source.mediaType());
      hasher.opaque(source.data());
    }
    hasher.media(MEDIA_TOKENS);
  }

  private static Object cacheControl(ContentBlock block) {
    if (block instanceof ContentBlock.Text text) {
      return text.cacheControl();
    } else if (block instanceof ContentBlock.Image image) {
      return image.cacheControl();
    } else if (block instanceof ContentBlock.Document document) {
      return document.cacheControl();
    } else if (block instanceof ContentBlock.ToolUse use) {
      return use.cacheControl();
    } else if (block instanceof ContentBlock.ToolResult result) {
      return result.cacheControl();
    }
    return null;
  }
}
