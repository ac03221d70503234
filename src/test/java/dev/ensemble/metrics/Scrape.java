package dev.ensemble.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed Prometheus text exposition: every sample with its labels. Enough of the format for tests. */
final class Scrape {

  record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples = new ArrayList<>();
  private final String text;

  Scrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        parseLabels(line.substring(brace + 1, line.lastIndexOf('}')), labels);
      } else {
        name = line.substring(0, line.indexOf(' '));
      }
      samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1).replace("+Inf", "Infinity"))));
    }
  }

  private static void parseLabels(String body, Map<String, String> labels) {
    int i = 0;
    while (i < body.length()) {
      int eq = body.indexOf('=', i);
      String key = body.substring(i, eq).trim();
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      while (body.charAt(j) != '"') {
        if (body.charAt(j) == '\\') {
          j++;
        }
        value.append(body.charAt(j++));
      }
      labels.put(key, value.toString());
      i = j + 1;
      while (i < body.length() && (body.charAt(i) == ',' || body.charAt(i) == ' ')) {
        i++;
      }
    }
  }

  String text() {
    return text;
  }

  /** The sum of the samples named {@code name} whose labels include all of {@code labels} (alternating key, value). */
  double sum(String name, String... labels) {
    return matching(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  /** The one sample named {@code name} with {@code labels}; fails if there is none or several. */
  double value(String name, String... labels) {
    List<Sample> found = matching(name, labels);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " samples " + name + " " + List.of(labels) + " in\n" + text);
    }
    return found.get(0).value();
  }

  boolean has(String name, String... labels) {
    return !matching(name, labels).isEmpty();
  }

  boolean hasPrefix(String prefix) {
    return samples.stream().anyMatch(s -> s.name().startsWith(prefix));
  }

  /** Sample-name suffixes of a family: histogram and summary parts, and a counter's {@code _total} / {@code _created}. */
  private static final List<String> FAMILY_SUFFIXES = List.of("_bucket", "_count", "_sum", "_created", "_total", "_gcount", "_gsum");

  /**
   * What the exposition lacks for Prometheus' own linter ({@code promtool check metrics}): every metric family
   * (each sample's {@code # TYPE}, found by its name or its name less a family suffix) must have a {@code # TYPE}
   * and a {@code # HELP} with some text. Empty when nothing is missing.
   */
  List<String> familiesWithoutHelpOrType() {
    Map<String, String> help = new LinkedHashMap<>();
    Map<String, String> type = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      String[] parts = line.split(" ", 4);
      if (parts.length >= 3 && parts[0].equals("#") && parts[1].equals("HELP")) {
        help.put(parts[2], parts.length == 4 ? parts[3].trim() : "");
      } else if (parts.length >= 4 && parts[0].equals("#") && parts[1].equals("TYPE")) {
        type.put(parts[2], parts[3].trim());
      }
    }
    List<String> problems = new ArrayList<>();
    java.util.Set<String> families = new java.util.LinkedHashSet<>();
    for (Sample s : samples) {
      String family = familyOf(s.name(), type);
      if (family == null) {
        problems.add(s.name() + ": a sample with no # TYPE for its family");
      } else {
        families.add(family);
      }
    }
    families.addAll(type.keySet());
    families.addAll(help.keySet());
    for (String family : families) {
      if (!type.containsKey(family)) {
        problems.add(family + ": no # TYPE");
      }
      if (help.getOrDefault(family, "").isEmpty()) {
        problems.add(family + ": no # HELP text");
      }
    }
    return problems;
  }

  private static String familyOf(String sample, Map<String, String> types) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : FAMILY_SUFFIXES) {
      if (sample.endsWith(suffix) && types.containsKey(sample.substring(0, sample.length() - suffix.length()))) {
        return sample.substring(0, sample.length() - suffix.length());
      }
    }
    return null;
  }

  private List<Sample> matching(String name, String... labels) {
    List<Sample> out = new ArrayList<>();
    for (Sample s : samples) {
      if (!s.name().equals(name)) {
        continue;
      }
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= labels[i + 1].equals(s.labels().get(labels[i]));
      }
      if (all) {
        out.add(s);
      }
    }
    return out;
  }
}
