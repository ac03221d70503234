package dev.ensemble.wire.gemini;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the golden files under {@code providers/gemini/}. */
final class GeminiFixtures {

  private GeminiFixtures() {
  }

  static byte[] bytes(String name) {
    try (InputStream in = GeminiFixtures.class.getResourceAsStream("/providers/gemini/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource providers/gemini/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String name) {
    return new String(bytes(name), StandardCharsets.UTF_8);
  }

  static JsonObject json(String name) {
    return new JsonObject(text(name));
  }

  static Buffer buffer(String name) {
    return Buffer.buffer(bytes(name));
  }
}
