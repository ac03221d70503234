package dev.ensemble.persistence;

import java.util.Optional;

/**
 * Where a {@link LocalResponseStore} key points ({@code <day>/<segment>#<offset>+<length>}): the segment's path relative
 * to the store's root, and the line's offset and length. Immutable.
 */
record SegmentPosition(String segment, long offset, int length) {

  static Optional<SegmentPosition> parse(String key) {
    int hash = key.indexOf('#');
    int plus = key.lastIndexOf('+');
    if (hash < 0 || plus < hash) {
      return Optional.empty();
    }
    String segment = key.substring(0, hash);
    // a key from the index, checked anyway: a day folder and a segment name, nothing that leaves the root
    if (segment.length() < 20 || segment.charAt(10) != '/' || !segment.startsWith("seg-", 11) || !segment.endsWith(".log")
        || segment.contains("..") || segment.indexOf('/', 11) >= 0 || segment.indexOf('\\') >= 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(new SegmentPosition(segment, Long.parseLong(key.substring(hash + 1, plus)), Integer.parseInt(key.substring(plus + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  String key() {
    return segment + "#" + offset + "+" + length;
  }
}
