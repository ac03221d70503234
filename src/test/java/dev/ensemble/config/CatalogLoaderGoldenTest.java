package dev.ensemble.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Golden catalog files: every {@code catalog/valid/*.yaml} loads; every {@code catalog/invalid/*.yaml} fails with
 * exactly the message in its sibling {@code *.error} file, reported as if the file were named {@code models.yaml}.
 */
class CatalogLoaderGoldenTest {

  private static CatalogLoader loader() {
    return new CatalogLoader(new EnvExpander(Map.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void validCatalogLoads(String name) {
    Catalog catalog = loader().load(dir("valid").resolve(name), "models.yaml");
    assertFalse(catalog.models().isEmpty());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void invalidCatalogFailsWithItsExactMessage(String name) throws IOException {
    Path yaml = dir("invalid").resolve(name);
    String expected = Files.readString(yaml.resolveSibling(name.replace(".yaml", ".error"))).strip();
    ConfigException e = assertThrows(ConfigException.class, () -> loader().load(yaml, "models.yaml"));
    assertEquals(expected, e.getMessage(), name);
  }

  @Test
  void everyInvalidFileHasItsErrorFile() throws IOException {
    List<String> yamls = files("invalid", ".yaml");
    assertFalse(yamls.isEmpty());
    assertEquals(yamls.stream().map(n -> n.replace(".yaml", "")).toList(),
        files("invalid", ".error").stream().map(n -> n.replace(".error", "")).toList());
  }

  static Stream<String> validFiles() throws IOException {
    return files("valid", ".yaml").stream();
  }

  static Stream<String> invalidFiles() throws IOException {
    return files("invalid", ".yaml").stream();
  }

  private static List<String> files(String kind, String suffix) throws IOException {
    try (Stream<Path> listing = Files.list(dir(kind))) {
      return listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
    }
  }

  private static Path dir(String kind) {
    try {
      return Path.of(CatalogLoaderGoldenTest.class.getResource("/catalog/" + kind).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
