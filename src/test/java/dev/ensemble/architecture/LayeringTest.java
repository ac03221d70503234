package dev.ensemble.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The package layering of docs/architecture.md ("Layering"), enforced on src/main/java: a package may use only
 * packages of a lower layer (and its own), never one of its own layer or above. Both imports and fully
 * qualified names in code count; comments and string literals do not.
 */
class LayeringTest {

  /** Top first. Packages of one layer do not use each other. Sub-packages belong to their top-level package's layer. */
  static final List<List<String>> LAYERS = List.of(
      List.of("cli"),
      List.of("node", "balancer"),
      List.of("ingress", "admin", "fleet"),
      List.of("metrics", "cluster", "cache"),
      List.of("routing", "persistence"),
      List.of("clients", "keys"),
      List.of("pools", "ratelimit", "pricing"),
      List.of("providers"),
      List.of("wire"),
      List.of("bus", "logging", "loop"),
      List.of("config"),
      List.of("model"));

  private static final Path MAIN = Path.of("src/main/java/dev/ensemble");
  private static final Pattern PACKAGE_USE = Pattern.compile("\\bdev\\.ensemble\\.([a-z][a-z0-9_]*)\\b");

  @Test
  void noPackageUsesOneAboveItOrBesideIt() throws IOException {
    Map<String, Integer> layerOf = new HashMap<>();
    for (int i = 0; i < LAYERS.size(); i++) {
      for (String pkg : LAYERS.get(i)) {
        layerOf.put(pkg, LAYERS.size() - i);
      }
    }
    List<String> offences = new ArrayList<>();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(MAIN)) {
      sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
    assertTrue(sources.size() > 100, "expected the main sources under " + MAIN.toAbsolutePath());
    for (Path file : sources) {
      String own = MAIN.relativize(file).getName(0).toString();
      if (!layerOf.containsKey(own)) {
        offences.add(file + ": package '" + own + "' has no layer (add it to LayeringTest.LAYERS and docs/architecture.md)");
        continue;
      }
      Matcher m = PACKAGE_USE.matcher(code(Files.readString(file)));
      while (m.find()) {
        String used = m.group(1);
        if (used.equals(own)) {
          continue;
        }
        Integer usedLayer = layerOf.get(used);
        if (usedLayer == null || usedLayer >= layerOf.get(own)) {
          offences.add(file + " -> " + lineAt(code(Files.readString(file)), m.start()) + "   (" + own + " may not use " + used
              + (usedLayer == null ? ", which has no layer" : usedLayer > layerOf.get(own) ? ", a layer above it" : ", a package of its own layer") + ")");
        }
      }
    }
    assertEquals(List.of(), offences, "packages using one above or beside them:\n" + String.join("\n", offences) + "\n");
  }

  /**
   * The optional local embedder module ({@code cache.local}, packaged apart as ensemble-local-embedder.jar) is the only
   * code that uses its libraries, and no other code uses it (ensemble.jar does not hold it; it is found through
   * {@code EmbeddingModule} by ServiceLoader).
   */
  @Test
  void onlyTheLocalEmbedderModuleUsesItsLibrariesAndNothingUsesTheModule() throws IOException {
    Pattern moduleLibraries = Pattern.compile("\\b(dev\\.langchain4j|ai\\.onnxruntime|ai\\.djl)\\.");
    Pattern module = Pattern.compile("\\bdev\\.ensemble\\.cache\\.local\\b");
    Path local = MAIN.resolve("cache/local");
    List<String> offences = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(local)).sorted().toList()) {
        String code = code(Files.readString(file));
        if (moduleLibraries.matcher(code).find() || module.matcher(code).find()) {
          offences.add(file.toString());
        }
      }
    }
    assertEquals(List.of(), offences, "code outside dev.ensemble.cache.local using the local embedder module or its libraries");
  }

  @Test
  void scannerSeesImportsAndCodeButNotCommentsOrStrings() {
    String source = """
        package dev.ensemble.wire;
        import dev.ensemble.providers.ErrorClass; // dev.ensemble.node.X
        /** {@link dev.ensemble.ingress.Foo} */
        class A { String s = "dev.ensemble.admin.B \\" /*"; char c = '"'; Object o = new dev.ensemble.pools.C(); }
        """;
    List<String> used = new ArrayList<>();
    Matcher m = PACKAGE_USE.matcher(code(source));
    while (m.find()) {
      used.add(m.group(1));
    }
    assertEquals(List.of("wire", "providers", "pools"), used);
  }

  /** {@code source} with comments and string and char literals blanked out (line breaks kept). */
  static String code(String source) {
    StringBuilder out = new StringBuilder(source.length());
    int i = 0;
    int n = source.length();
    while (i < n) {
      char c = source.charAt(i);
      if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
        while (i < n && source.charAt(i) != '\n') {
          i++;
        }
      } else if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
        int end = source.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        out.append(' ');
      } else if (source.startsWith("\"\"\"", i)) {
        int end = source.indexOf("\"\"\"", i + 3);
        i = end < 0 ? n : end + 3;
        out.append("\"\"");
      } else if (c == '"' || c == '\'') {
        i++;
        while (i < n && source.charAt(i) != c && source.charAt(i) != '\n') {
          i += source.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
        out.append(c).append(c);
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  private static String lineAt(String code, int offset) {
    int start = code.lastIndexOf('\n', offset) + 1;
    int end = code.indexOf('\n', offset);
    return code.substring(start, end < 0 ? code.length() : end).strip();
  }
}
