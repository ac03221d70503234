package dev.ensemble.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

/**
 * Random corruptions of real JSON, for tests that check a hand-written byte scanner reads whatever it is given as the
 * tree reading does (or leaves it to the tree): each of {@code count} inputs is one of the originals with one to three
 * bytes replaced, removed or inserted from an alphabet of JSON's own characters. Seeded: the same inputs every run.
 */
public final class JsonCorruptions {

  private static final byte[] ALPHABET = "{}[]\":,\\ \n0123456789-+.eEtrufalsn\u00e9x".getBytes(StandardCharsets.UTF_8);

  private JsonCorruptions() {
  }

  /** Hands each corrupted input and a description of it to {@code check}. */
  public static void each(List<String> originals, int count, BiConsumer<byte[], String> check) {
    Random random = new Random(14);
    for (int i = 0; i < count; i++) {
      byte[] bytes = originals.get(random.nextInt(originals.size())).getBytes(StandardCharsets.UTF_8);
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(bytes.length);
        switch (random.nextInt(3)) {
          case 0 -> bytes[at] = ALPHABET[random.nextInt(ALPHABET.length)];
          case 1 -> bytes = remove(bytes, at);
          default -> bytes = insert(bytes, at, ALPHABET[random.nextInt(ALPHABET.length)]);
        }
      }
      check.accept(bytes, "corruption " + i + ": " + new String(bytes, StandardCharsets.UTF_8));
    }
  }

  private static byte[] remove(byte[] bytes, int at) {
    byte[] out = new byte[bytes.length - 1];
    System.arraycopy(bytes, 0, out, 0, at);
    System.arraycopy(bytes, at + 1, out, at, bytes.length - at - 1);
    return out;
  }

  private static byte[] insert(byte[] bytes, int at, byte b) {
    byte[] out = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, out, 0, at);
    out[at] = b;
    System.arraycopy(bytes, at, out, at + 1, bytes.length - at);
    return out;
  }
}
