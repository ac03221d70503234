package dev.ensemble.cache;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.MediaSource;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The cache keys of one request, SHA-256 over a canonical, length-prefixed rendering of everything that changes
 * the answer — model, system, every message, tools, tool choice, sampling parameters, stop sequences, reasoning,
 * response format — and nothing that does not: {@code stream}, {@code stream_options}, {@code user}, request ids and
 * prompt-cache breakpoints ({@code cache_control}) are left out, so a streamed and a non-streamed ask share an entry.
 *
 * <p>{@link #exactKey} covers the whole request; {@link #contextKey} everything but the last user turn, the part a
 * semantic hit must match exactly (model, system, tools, parameters and the conversation before it).
 * {@link #lastUserText} is what a semantic cache embeds. Pure and thread-safe.
 */
public final class RequestFingerprint {

  private final String exactKey;
  private final String contextKey;
  private final String lastUserText;

  private RequestFingerprint(String exactKey, String contextKey, String lastUserText) {
    this.exactKey = exactKey;
    this.contextKey = contextKey;
    this.lastUserText = lastUserText;
  }

  /** The keys of {@code request} in {@code namespace} (the policy and, unless shared, the client). */
  public static RequestFingerprint of(String namespace, UnifiedRequest request) {
    Canon params = new Canon().str(namespace).str(request.model());
    params.str("system");
    request.system().forEach(t -> params.str(t.text()));
    params.str("tools");
    for (ToolDefinition tool : request.tools()) {
      params.str(tool.name()).str(tool.description()).str(tool.inputSchema() == null ? null : tool.inputSchema().encode());
    }
    params.str("choice").str(request.toolChoice() == null ? null : request.toolChoice().toString())
        .str("max").str(String.valueOf(request.maxTokens()))
        .str("t").str(String.valueOf(request.temperature()))
        .str("p").str(String.valueOf(request.topP()))
        .str("k").str(String.valueOf(request.topK()))
        .str("stop").str(String.join("\u0000", request.stop()))
        .str("reasoning").str(request.reasoning() == null ? null : request.reasoning().toString())
        .str("format").str(request.responseFormat() == null ? null : request.responseFormat().encode());
    List<Message> messages = request.messages();
    int last = lastUserTurn(messages);
    Canon context = params.copy().str("before");
    for (int i = 0; i < messages.size(); i++) {
      if (i == last) {
        break;
      }
      message(context, messages.get(i));
    }
    Canon exact = params.copy().str("all");
    messages.forEach(m -> message(exact, m));
    String lastText = last < 0 ? "" : text(messages.get(last));
    // A turn after the last user one (a prefilled assistant start) belongs to the context too.
    Canon after = context.str("after");
    for (int i = last + 1; i < messages.size() && last >= 0; i++) {
      message(after, messages.get(i));
    }
    return new RequestFingerprint(exact.digest(), after.digest(), lastText);
  }

  public String exactKey() {
    return exactKey;
  }

  public String contextKey() {
    return contextKey;
  }

  public String lastUserText() {
    return lastUserText;
  }

  /** Whether the last user turn is plain text (a semantic cache embeds nothing else). */
  public static boolean lastUserTurnIsText(UnifiedRequest request) {
    int last = lastUserTurn(request.messages());
    return last >= 0 && request.messages().get(last).content().stream().allMatch(b -> b instanceof ContentBlock.Text);
  }

  private static int lastUserTurn(List<Message> messages) {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if (messages.get(i).role() == Role.USER) {
        return i;
      }
    }
    return -1;
  }

  private static String text(Message message) {
    StringBuilder out = new StringBuilder();
    for (ContentBlock block : message.content()) {
      if (block instanceof ContentBlock.Text t) {
        out.append(out.isEmpty() ? "" : "\n").append(t.text());
      }
    }
    return out.toString();
  }

  private static void message(Canon c, Message m) {
    c.str("m").str(m.role().name());
    for (ContentBlock block : m.content()) {
      block(c, block);
    }
  }

  private static void block(Canon c, ContentBlock block) {
    if (block instanceof ContentBlock.Text t) {
      c.str("text").str(t.text());
    } else if (block instanceof ContentBlock.Image i) {
      c.str("image").str(i.detail());
      source(c, i.source());
    } else if (block instanceof ContentBlock.Document d) {
      c.str("document").str(d.title());
      source(c, d.source());
    } else if (block instanceof ContentBlock.ToolUse u) {
      c.str("tool_use").str(u.id()).str(u.name()).str(u.inputJson());
    } else if (block instanceof ContentBlock.ToolResult r) {
      c.str("tool_result").str(r.toolUseId()).str(Boolean.toString(r.isError()));
      r.content().forEach(inner -> block(c, inner));
      c.str("end_tool_result");
    } else if (block instanceof ContentBlock.Thinking t) {
      c.str("thinking").str(t.thinking()).str(t.redactedData());
    } else {
      c.str(block.getClass().getSimpleName()).str(block.toString());
    }
  }

  private static void source(Canon c, MediaSource s) {
    c.str(s.url()).str(s.mediaType()).str(s.data());
  }

  /** Length-prefixed strings, so no two different sequences render alike. */
  private static final class Canon {
    private final StringBuilder text;

    Canon() {
      this(new StringBuilder());
    }

    private Canon(StringBuilder text) {
      this.text = text;
    }

    Canon str(String s) {
      if (s == null) {
        text.append("-1:");
      } else {
        text.append(s.length()).append(':').append(s);
      }
      return this;
    }

    Canon copy() {
      return new Canon(new StringBuilder(text));
    }

    String digest() {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
