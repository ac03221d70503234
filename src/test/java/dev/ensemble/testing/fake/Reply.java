package dev.ensemble.testing.fake;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One scripted answer of the {@link FakeUpstream}, rendered in the wire format of whichever route
 * (OpenAI Chat Completions or Anthropic Messages) receives the next request. Immutable: every
 * {@code withX}-style method returns a copy.
 *
 * <p>Kinds of reply:
 * <ul>
 *   <li>content: {@link #text}, {@link #toolCall} (+ {@link #andToolCall}, {@link #withText},
 *       {@link #thinking}), streamed when the request asks for {@code "stream": true};</li>
 *   <li>{@link #error}: an HTTP error with the body in the route's own error format (never streamed);</li>
 *   <li>{@link #raw}: exact status, content type and body bytes, for malformed-upstream tests;</li>
 *   <li>{@link #hang}: never answers (for timeout tests).</li>
 * </ul>
 *
 * <p>Stop reasons given in the other route's vocabulary are translated
 * ({@code end_turn<->stop}, {@code max_tokens<->length}, {@code tool_use<->tool_calls},
 * {@code stop_sequence->stop}, {@code refusal<->content_filter}); unknown values are sent as given.
 */
public final class Reply {

  /** What a reply is. */
  public enum Kind { CONTENT, ERROR, RAW, HANG }

  /** A scripted tool call; {@code id} null means "generate one in the route's id style". */
  public record ToolCall(String id, String name, String argumentsJson) {
    public ToolCall {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(argumentsJson, "argumentsJson");
    }
  }

  /**
   * Usage that overrides the computed one, in the unified convention: {@code input} counts uncached
   * input tokens only. OpenAI reports {@code prompt_tokens = input + cacheRead + cacheWrite} and
   * {@code cached_tokens = cacheRead}; Anthropic reports each field as is.
   */
  public record ScriptedUsage(int input, int output, int cacheRead, int cacheWrite) {
  }

  /** An error event written mid-stream after {@code afterEvents} events. */
  public record MidStreamError(int afterEvents, String type, String message) {
  }

  final Kind kind;
  final String text;
  final String thinking;
  final String thinkingSignature;
  final List<ToolCall> toolCalls;
  final String stopReason;
  final String stopSequence;
  final ScriptedUsage usage;
  final String model;
  final int status;
  final String errorType;
  final String errorCode;
  final String errorMessage;
  final String rawContentType;
  final String rawBody;
  final List<Map.Entry<String, String>> headers;
  final long latencyMs;
  final long eventDelayMs;
  final int cutAfterEvents;
  final MidStreamError midStreamError;
  final int reasoningTokens;

  private Reply(Builder b) {
    kind = b.kind;
    text = b.text;
    thinking = b.thinking;
    thinkingSignature = b.thinkingSignature;
    toolCalls = List.copyOf(b.toolCalls);
    stopReason = b.stopReason;
    stopSequence = b.stopSequence;
    usage = b.usage;
    model = b.model;
    status = b.status;
    errorType = b.errorType;
    errorCode = b.errorCode;
    errorMessage = b.errorMessage;
    rawContentType = b.rawContentType;
    rawBody = b.rawBody;
    headers = List.copyOf(b.headers);
    latencyMs = b.latencyMs;
    eventDelayMs = b.eventDelayMs;
    cutAfterEvents = b.cutAfterEvents;
    midStreamError = b.midStreamError;
    reasoningTokens = b.reasoningTokens;
  }

  /** An assistant answer made of one text block. */
  public static Reply text(String text) {
    Builder b = new Builder(Kind.CONTENT);
    b.text = Objects.requireNonNull(text, "text");
    return new Reply(b);
  }

  /** An assistant answer made of one tool call (arguments are JSON text, sent byte for byte). */
  public static Reply toolCall(String name, String argumentsJson) {
    return toolCall(null, name, argumentsJson);
  }

  /** A tool call with a fixed id (e.g. {@code toolu_...} or {@code call_...}). */
  public static Reply toolCall(String id, String name, String argumentsJson) {
    Builder b = new Builder(Kind.CONTENT);
    b.toolCalls.add(new ToolCall(id, name, argumentsJson));
    return new Reply(b);
  }

  /**
   * An HTTP error. {@code type} may be in either vocabulary (e.g. {@code rate_limit_error} or
   * {@code rate_limit_exceeded}); each route renders it as the real API does, e.g. OpenAI 429 is
   * {@code {"type":"requests","code":"rate_limit_exceeded"}}, Anthropic 429 is {@code rate_limit_error}.
   */
  public static Reply error(int status, String type, String message) {
    Builder b = new Builder(Kind.ERROR);
    b.status = status;
    b.errorType = Objects.requireNonNull(type, "type");
    b.errorMessage = Objects.requireNonNull(message, "message");
    return new Reply(b);
  }

  /** Exactly this status, content type and body, whatever the route. */
  public static Reply raw(int status, String contentType, String body) {
    Builder b = new Builder(Kind.RAW);
    b.status = status;
    b.rawContentType = contentType;
    b.rawBody = body;
    return new Reply(b);
  }

  /** Never answers; the request stays open until the client or the server closes it. */
  public static Reply hang() {
    return new Reply(new Builder(Kind.HANG));
  }

  /** Adds a parallel tool call after the existing ones. */
  public Reply andToolCall(String name, String argumentsJson) {
    return andToolCall(null, name, argumentsJson);
  }

  /** Adds a parallel tool call with a fixed id. */
  public Reply andToolCall(String id, String name, String argumentsJson) {
    Builder b = copy();
    b.toolCalls.add(new ToolCall(id, name, argumentsJson));
    return new Reply(b);
  }

  /** Leading text before the tool calls. */
  public Reply withText(String text) {
    Builder b = copy();
    b.text = text;
    return new Reply(b);
  }

  /** A leading thinking block with its signature (rendered by the Anthropic route only). */
  public Reply thinking(String thinking, String signature) {
    Builder b = copy();
    b.thinking = thinking;
    b.thinkingSignature = signature;
    return new Reply(b);
  }

  /**
   * Hidden reasoning the model spent {@code tokens} on before answering: OpenAI Chat Completions reports them in
   * {@code completion_tokens_details.reasoning_tokens} (and in {@code completion_tokens}), the Responses API in
   * {@code output_tokens_details.reasoning_tokens} (and in {@code output_tokens}); the Anthropic route ignores it.
   */
  public Reply reasoningTokens(int tokens) {
    Builder b = copy();
    b.reasoningTokens = tokens;
    return new Reply(b);
  }

  /** The stop reason instead of the automatic one. */
  public Reply stopReason(String stopReason) {
    Builder b = copy();
    b.stopReason = stopReason;
    return new Reply(b);
  }

  /** Anthropic {@code stop_sequence} (use with {@code stopReason("stop_sequence")}). */
  public Reply stopSequence(String stopSequence) {
    Builder b = copy();
    b.stopSequence = stopSequence;
    return new Reply(b);
  }

  /** Overrides the computed usage (unified convention, see {@link ScriptedUsage}). */
  public Reply usage(int input, int output, int cacheRead, int cacheWrite) {
    Builder b = copy();
    b.usage = new ScriptedUsage(input, output, cacheRead, cacheWrite);
    return new Reply(b);
  }

  /** The model named in the answer; default: the request's model. */
  public Reply model(String model) {
    Builder b = copy();
    b.model = model;
    return new Reply(b);
  }

  /** OpenAI {@code error.code} instead of the one derived from the type. */
  public Reply errorCode(String code) {
    Builder b = copy();
    b.errorCode = code;
    return new Reply(b);
  }

  /** Sets a response header (replaces a default header of the same name). */
  public Reply header(String name, String value) {
    Builder b = copy();
    b.headers.add(Map.entry(name, value));
    return new Reply(b);
  }

  /** Delay before the response headers are sent. */
  public Reply latencyMs(long ms) {
    Builder b = copy();
    b.latencyMs = ms;
    return new Reply(b);
  }

  /** Delay between two stream events. */
  public Reply eventDelayMs(long ms) {
    Builder b = copy();
    b.eventDelayMs = ms;
    return new Reply(b);
  }

  /**
   * Closes the connection abruptly after {@code events} SSE events, with no terminal event. On a
   * non-streamed request the connection is closed before any response is sent.
   */
  public Reply cutAfterEvents(int events) {
    Builder b = copy();
    b.cutAfterEvents = events;
    return new Reply(b);
  }

  /**
   * After {@code afterEvents} stream events, an error in the route's stream format (Anthropic
   * {@code event: error}, OpenAI a {@code data: {"error":...}} chunk), then the response ends.
   */
  public Reply midStreamError(int afterEvents, String type, String message) {
    Builder b = copy();
    b.midStreamError = new MidStreamError(afterEvents, type, message);
    return new Reply(b);
  }

  public Kind kind() {
    return kind;
  }

  private Builder copy() {
    Builder b = new Builder(kind);
    b.text = text;
    b.thinking = thinking;
    b.thinkingSignature = thinkingSignature;
    b.toolCalls.addAll(toolCalls);
    b.stopReason = stopReason;
    b.stopSequence = stopSequence;
    b.usage = usage;
    b.model = model;
    b.status = status;
    b.errorType = errorType;
    b.errorCode = errorCode;
    b.errorMessage = errorMessage;
    b.rawContentType = rawContentType;
    b.rawBody = rawBody;
    b.headers.addAll(headers);
    b.latencyMs = latencyMs;
    b.eventDelayMs = eventDelayMs;
    b.cutAfterEvents = cutAfterEvents;
    b.midStreamError = midStreamError;
    b.reasoningTokens = reasoningTokens;
    return b;
  }

  private static final class Builder {
    private final Kind kind;
    private String text;
    private String thinking;
    private String thinkingSignature;
    private final List<ToolCall> toolCalls = new ArrayList<>();
    private String stopReason;
    private String stopSequence;
    private ScriptedUsage usage;
    private String model;
    private int status = 200;
    private String errorType;
    private String errorCode;
    private String errorMessage;
    private String rawContentType;
    private String rawBody;
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private long latencyMs;
    private long eventDelayMs;
    private int cutAfterEvents = -1;
    private int reasoningTokens;
    private MidStreamError midStreamError;

    private Builder(Kind kind) {
      this.kind = kind;
    }
  }
}
