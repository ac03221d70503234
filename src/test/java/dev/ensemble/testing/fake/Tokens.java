package dev.ensemble.testing.fake;

/** The fake's token approximation: {@code ceil(chars / 4)}, at least 1 for non-empty accounting. */
final class Tokens {

  static final int CHARS_PER_TOKEN = 4;

  private Tokens() {
  }

  /** {@code ceil(chars / 4)}, 0 for an empty text. */
  static int of(int chars) {
    return (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }

  /** {@code ceil(chars / 4)}, at least 1. */
  static int atLeastOne(int chars) {
    return Math.max(1, of(chars));
  }
}
