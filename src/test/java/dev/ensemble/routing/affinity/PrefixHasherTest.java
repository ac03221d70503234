package dev.ensemble.routing.affinity;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class PrefixHasherTest {

  private static long hash(String... strings) {
    PrefixHasher hasher = new PrefixHasher(42);
    for (String s : strings) {
      hasher.string(s);
    }
    return hasher.snapshot();
  }

  private static String text(int chars) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; sb.length() < chars; i++) {
      sb.append((char) ('a' + i % 26));
    }
    return sb.substring(0, chars);
  }

  @Test
  void everyOneCharChangeChangesTheHashAtEveryLengthAroundTheWordAndLaneBoundaries() {
    for (int length = 1; length <= 160; length++) {
      String base = text(length);
      Set<Long> hashes = new HashSet<>();
      hashes.add(hash(base));
      for (int i = 0; i < length; i++) {
        char[] chars = base.toCharArray();
        chars[i] = '#';
        hashes.add(hash(new String(chars)));
      }
      assertEquals(length + 1, hashes.size(), "length " + length);
    }
  }

  @Test
  void textWithUnpairedSurrogatesHashesStably() {
    String prefix = text(40);

    assertEquals(hash(prefix + "\uD800"), hash(new String((prefix + "\uD800").toCharArray())));
    assertNotEquals(hash(prefix + "\uD800"), hash(prefix));
    assertNotEquals(hash(prefix + "\uD800x"), hash(prefix + "x"));
  }

  @Test
  void textWithQuestionMarksAndNonAsciiCharsHashesStablyAndDistinctly() {
    String question = "Où est la gare? 駅はどこですか? Where is the station? 🚉 ".repeat(5);
    String other = question.replace("🚉", "🚃");

    assertEquals(hash(question), hash(new String(question.toCharArray())));
    assertNotEquals(hash(question), hash(other));
    assertNotEquals(hash(question), hash(question.replace('?', '!')));
  }

  @Test
  void splittingALongTextDifferentlyChangesTheHash() {
    String text = text(100);

    Set<Long> hashes = Set.of(hash(text), hash(text.substring(0, 40), text.substring(40)), hash(text.substring(0, 60), text.substring(60)),
        hash(text.substring(0, 10), text.substring(10)));

    assertEquals(4, hashes.size());
  }
}
