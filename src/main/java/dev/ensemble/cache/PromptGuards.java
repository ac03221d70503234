package dev.ensemble.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What two prompts must agree on, beyond their embeddings' similarity, before one's answer may serve the other:
 * the same numbers in the same order, the same number of negations, and the same named entities (capitalised words
 * and acronyms) in the same order. Embeddings score "Paris is / is not the capital" at 0.95 and "convert 10 USD to
 * EUR" / "10 EUR to USD" at 0.98; these checks refuse both, while "reset my password" / "forgot my password" pass.
 * Cheap (regular expressions over the two texts), pure and thread-safe.
 */
public final class PromptGuards {

  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*");
  private static final Pattern WORD = Pattern.compile("[\\p{L}][\\p{L}\\p{N}'’-]*|[.!?\\n]");
  private static final Set<String> NEGATIONS = Set.of("not", "no", "never", "none", "nothing", "nobody", "neither", "nor",
      "cannot", "without", "nowhere", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "won't", "wouldn't",
      "can't", "couldn't", "shouldn't", "mustn't", "haven't", "hasn't", "hadn't");
  /** Words that start sentences without naming anything: not taken for entities there. */
  private static final Set<String> STARTERS = Set.of("a", "an", "the", "what", "what's", "whats", "how", "why", "when", "where",
      "who", "which", "whose", "is", "are", "was", "were", "am", "be", "do", "does", "did", "can", "could", "would", "should",
      "will", "shall", "may", "might", "must", "have", "has", "had", "i", "i'm", "i've", "my", "me", "we", "our", "you", "your",
      "it", "it's", "its", "they", "their", "he", "she", "this", "that", "these", "those", "there", "here", "please", "tell",
      "give", "show", "list", "explain", "describe", "write", "summarize", "summarise", "translate", "convert", "help", "find",
      "make", "create", "let", "let's", "if", "so", "and", "but", "or", "also", "then", "now", "hi", "hello", "hey", "thanks",
      "thank", "ok", "okay", "yes", "no", "not", "in", "on", "at", "for", "to", "of", "with", "from", "by", "about", "as",
      "any", "some", "all", "each", "every", "one", "reset", "forgot", "lost", "change", "update", "get", "set", "use");

  private PromptGuards() {
  }

  /** Whether a cached prompt's answer may serve a new one, as far as their numbers, negations and entities tell. */
  public static boolean agree(String cached, String asked) {
    return numbers(cached).equals(numbers(asked)) && negations(cached) == negations(asked)
        && entities(cached).equals(entities(asked));
  }

  /** Which guard refuses the pair, or null when they agree (for audits and the tuning tool). */
  public static String refusal(String cached, String asked) {
    if (!numbers(cached).equals(numbers(asked))) {
      return "numbers";
    }
    if (negations(cached) != negations(asked)) {
      return "negation";
    }
    if (!entities(cached).equals(entities(asked))) {
      return "entities";
    }
    return null;
  }

  static List<String> numbers(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = NUMBER.matcher(text);
    while (m.find()) {
      out.add(m.group().replace(",", ""));
    }
    return out;
  }

  static int negations(String text) {
    int count = 0;
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT).replace('’', '\''));
    while (m.find()) {
      String w = m.group();
      if (NEGATIONS.contains(w) || w.endsWith("n't")) {
        count++;
      }
    }
    return count;
  }

  static List<String> entities(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text);
    boolean sentenceStart = true;
    while (m.find()) {
      String w = m.group();
      if (w.length() == 1 && ".!?\n".contains(w)) {
        sentenceStart = true;
        continue;
      }
      boolean capitalised = Character.isUpperCase(w.codePointAt(0));
      boolean acronym = w.length() >= 2 && w.equals(w.toUpperCase(Locale.ROOT)) && !w.equals(w.toLowerCase(Locale.ROOT));
      String lower = w.toLowerCase(Locale.ROOT);
      boolean named = acronym || capitalised && !"i".equals(lower) && !(sentenceStart && STARTERS.contains(lower));
      if (named) {
        out.add(lower);
      }
      sentenceStart = false;
    }
    return out;
  }
}
