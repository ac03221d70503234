package dev.ensemble.providers.vertex;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.wire.SseEvent;
import dev.ensemble.wire.SseParser;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicEventSource;
import dev.ensemble.wire.anthropic.AnthropicStreamDecoder;
import dev.ensemble.wire.anthropic.EventSplice;
import dev.ensemble.wire.gemini.GeminiStreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A Vertex stream, which is Anthropic's SSE ({@code :streamRawPredict}) or Gemini's ({@code :streamGenerateContent}):
 * the bytes are held until the first event is complete, which names the format (Anthropic events carry an
 * {@code event:} name or a {@code "type"}, Gemini's neither), then everything goes to that format's decoder.
 */
final class VertexStreamDecoder implements StreamDecoder, AnthropicEventSource {

  private final SseParser sniffer = new SseParser();
  private Buffer held = Buffer.buffer();
  private StreamDecoder decoder;
  /** A client that speaks Anthropic asked for the stream's events, should it be Anthropic's ({@link EventSplice}). */
  private EventSplice relay;

  @Override
  public void relayTo(EventSplice relay) {
    this.relay = relay;
  }

  @Override
  public List<StreamEvent> feed(Buffer chunk) {
    if (decoder != null) {
      return decoder.feed(chunk);
    }
    held.appendBuffer(chunk);
    List<SseEvent> first = sniffer.feed(chunk);
    return first.isEmpty() ? List.of() : choose(first.get(0)).feed(release());
  }

  @Override
  public List<StreamEvent> finish() {
    if (decoder == null) {
      List<SseEvent> last = sniffer.finish();
      StreamDecoder chosen = last.isEmpty() ? anthropic() : choose(last.get(0));
      decoder = chosen;
      List<StreamEvent> events = new ArrayList<>(chosen.feed(release()));
      events.addAll(chosen.finish());
      return events;
    }
    return decoder.finish();
  }

  @Override
  public boolean completed() {
    return decoder != null && decoder.completed();
  }

  private StreamDecoder choose(SseEvent first) {
    decoder = isAnthropic(first) ? anthropic() : new GeminiStreamDecoder();
    return decoder;
  }

  private AnthropicStreamDecoder anthropic() {
    AnthropicStreamDecoder anthropic = new AnthropicStreamDecoder();
    if (relay != null) {
      anthropic.relayTo(relay);
    }
    return anthropic;
  }

  private Buffer release() {
    Buffer bytes = held;
    held = null;
    return bytes;
  }

  private static boolean isAnthropic(SseEvent event) {
    if (event.event() != null) {
      return true;
    }
    try {
      return Json.decodeValue(event.data()) instanceof JsonObject json && json.getValue("type") instanceof String;
    } catch (RuntimeException notJson) {
      return false;
    }
  }
}
