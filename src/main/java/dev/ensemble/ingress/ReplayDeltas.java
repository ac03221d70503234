package dev.ensemble.ingress;

import dev.ensemble.model.StreamEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a cached answer's deltas the way a live stream carries them, so a replayed stream looks like a live one to the
 * client's parser and renders progressively: text and thinking one word at a time (a piece is its leading whitespace
 * and the word, at most {@value #MAX_TEXT_PIECE} characters, so text without spaces is cut too), a tool call's
 * arguments in pieces of {@value #JSON_PIECE} characters. A piece never splits a surrogate pair; the pieces
 * concatenate to the original. Stateless.
 */
final class ReplayDeltas {

  static final int MAX_TEXT_PIECE = 24;
  static final int JSON_PIECE = 16;

  private ReplayDeltas() {
  }

  /** {@code events} with every text, thinking and argument delta cut into live-sized pieces; other events as they are. */
  static List<StreamEvent> of(List<StreamEvent> events) {
    List<StreamEvent> out = new ArrayList<>(events.size() * 4);
    for (StreamEvent event : events) {
      if (event instanceof StreamEvent.BlockDelta d && d.text() != null && d.partialJson() == null && d.signature() == null) {
        words(d.text()).forEach(piece -> out.add(StreamEvent.BlockDelta.text(d.index(), piece)));
      } else if (event instanceof StreamEvent.BlockDelta d && d.partialJson() != null && d.text() == null && d.signature() == null) {
        fixed(d.partialJson(), JSON_PIECE).forEach(piece -> out.add(StreamEvent.BlockDelta.partialJson(d.index(), piece)));
      } else {
        out.add(event);
      }
    }
    return out;
  }

  /** "Hello big world" → ["Hello", " big", " world"]; a run longer than {@value #MAX_TEXT_PIECE} is cut further. */
  static List<String> words(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      boolean wordStarts = i < text.length() && Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1));
      if (i == text.length() || wordStarts) {
        pieces.addAll(fixed(text.substring(start, i), MAX_TEXT_PIECE));
        start = i;
      }
    }
    if (pieces.isEmpty()) {
      pieces.add(text);
    }
    return pieces;
  }

  /** Pieces of at most {@code size} characters (one more to keep a surrogate pair whole). */
  static List<String> fixed(String text, int size) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = Math.min(text.length(), start + size);
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end++;
      }
      pieces.add(text.substring(start, end));
      start = end;
    }
    if (pieces.isEmpty()) {
      pieces.add(text);
    }
    return pieces;
  }
}
