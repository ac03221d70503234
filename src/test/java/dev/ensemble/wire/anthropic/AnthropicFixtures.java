package dev.ensemble.wire.anthropic;

import dev.ensemble.model.StreamEvent;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Golden files under {@code src/test/resources/providers/anthropic/}. */
public final class AnthropicFixtures {

  private AnthropicFixtures() {
  }

  public static byte[] bytes(String path) {
    try (InputStream in = AnthropicFixtures.class.getResourceAsStream("/providers/anthropic/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String text(String path) {
    return new String(bytes(path), StandardCharsets.UTF_8);
  }

  public static JsonObject json(String path) {
    return new JsonObject(text(path));
  }

  /** Feeds {@code chunks} to a decoder in order, then finishes it, returning every event. */
  public static List<StreamEvent> decodeAll(StreamDecoder decoder, byte[]... chunks) {
    List<StreamEvent> events = new ArrayList<>();
    for (byte[] chunk : chunks) {
      events.addAll(decoder.feed(Buffer.buffer(chunk)));
    }
    events.addAll(decoder.finish());
    return events;
  }
}
