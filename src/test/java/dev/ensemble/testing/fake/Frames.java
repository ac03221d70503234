package dev.ensemble.testing.fake;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;

/** SSE frames and the splitting of texts into stream deltas. */
final class Frames {

  private static final int ARGUMENT_PIECE_CHARS = 8;

  private Frames() {
  }

  static Buffer data(String data) {
    return Buffer.buffer("data: " + data + "\n\n");
  }

  static Buffer event(String event, String data) {
    return Buffer.buffer("event: " + event + "\ndata: " + data + "\n\n");
  }

  /** "Hello big world" -> ["Hello", " big", " world"]; concatenation gives the text back. */
  static List<String> words(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    for (int i = 1; i < text.length(); i++) {
      if (Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
        pieces.add(text.substring(start, i));
        start = i;
      }
    }
    if (start < text.length()) {
      pieces.add(text.substring(start));
    }
    return pieces;
  }

  /** Small fixed-size pieces that never split a surrogate pair. */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = Math.min(text.length(), start + ARGUMENT_PIECE_CHARS);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end++;
      }
      pieces.add(text.substring(start, end));
      start = end;
    }
    return pieces;
  }
}
