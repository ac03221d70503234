package dev.ensemble.wire.anthropic;

/**
 * A stream decoder that reads (or may turn out to read) an Anthropic event stream, and so can stage its events for a
 * client that speaks Anthropic too ({@link EventSplice}): {@link AnthropicStreamDecoder}, and decoders that choose one
 * once the stream shows its format (Vertex).
 */
public interface AnthropicEventSource {

  /** Pass-through: stage the stream's events, spliced, in {@code relay} (it is {@link EventSplice#attach attached} if this stream is Anthropic's). */
  void relayTo(EventSplice relay);
}
