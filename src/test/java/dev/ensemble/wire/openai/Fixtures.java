package dev.ensemble.wire.openai;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads test resources. */
final class Fixtures {

  private Fixtures() {
  }

  static byte[] bytes(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(String resource) {
    return new String(bytes(resource), StandardCharsets.UTF_8);
  }
}
