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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden config files: every {@code config/valid/*.yaml} loads to exactly the values in its sibling {@code *.resolved}
 * (the config as {@link ConfigPrinter} prints it; run with {@code -Densemble.golden.write=true} to rewrite them after a
 * deliberate change, then read the diff); every {@code config/invalid/*.yaml} fails with
 * exactly the message in its sibling {@code *.error} file; every valid file's printout loads back as the same config
 * (what {@code check-config} promises), with each secret and URL user-info as its mask. All run against one fixed
 * environment.
 */
class ConfigLoaderGoldenTest {

  static final Map<String, String> ENV = Map.of(
      "ANTHROPIC_KEY_PRIMARY", "sk-ant-primary-test-0001",
      "ANTHROPIC_KEY_SECONDARY", "sk-ant-secondary-test-0002",
      "OPENAI_API_KEY", "sk-openai-test-0003",
      "ENSEMBLE_ADMIN_KEY", "admin-test-key-0004",
      "ENSEMBLE_ENCRYPTION_KEY", "encryption-test-key-0005",
      "REDIS_PASSWORD", "redis-test-password-0006",
      "ENSEMBLE_PORT", "9090",
      "EMPTY_VAR", "");

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void validConfigLoadsToItsResolvedValues(String name) throws IOException {
    Path yaml = dir("valid").resolve(name);
    EnsembleConfig config = new ConfigLoader(ENV).load(yaml);
    Path resolved = yaml.resolveSibling(name.substring(0, name.length() - ".yaml".length()) + ".resolved");
    if (Boolean.getBoolean("ensemble.golden.write")) {
      Files.writeString(Path.of("src/test/resources/config/valid").resolve(resolved.getFileName()), ConfigPrinter.toYaml(config));
    }
    assertEquals(Files.readString(resolved), ConfigPrinter.toYaml(config), name + ": every value as loaded (defaults filled, secrets masked)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  void printedConfigLoadsBackAsTheSameConfig(String name) throws IOException {
    EnsembleConfig original = new ConfigLoader(ENV).load(dir("valid").resolve(name));

    EnsembleConfig reloaded = new ConfigLoader(ENV).parse(ConfigPrinter.toYaml(original));

    assertEquals(AsPrinted.of(original), reloaded, name + ": the printout (secrets as their masks) loads back as the same config");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidFiles")
  void invalidConfigFailsWithItsExactMessage(String name) throws IOException {
    Path yaml = dir("invalid").resolve(name);
    String expected = Files.readString(errorFileOf(yaml)).strip();
    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(ENV).load(yaml));
    assertEquals(expected, e.getMessage(), name);
  }

  @Test
  void everyInvalidFileHasItsErrorFileAndNoErrorFileIsOrphaned() throws IOException {
    List<String> yamls = files("invalid", ".yaml");
    List<String> errors = files("invalid", ".error");
    assertFalse(yamls.isEmpty());
    assertEquals(yamls.stream().map(n -> n.replace(".yaml", "")).toList(), errors.stream().map(n -> n.replace(".error", "")).toList());
    for (String error : errors) {
      assertTrue(Files.readString(dir("invalid").resolve(error)).strip().contains(": "), error + " must read 'path: problem'");
    }
  }

  static Stream<String> validFiles() throws IOException {
    return files("valid", ".yaml").stream();
  }

  static Stream<String> invalidFiles() throws IOException {
    return files("invalid", ".yaml").stream();
  }

  private static Path errorFileOf(Path yaml) {
    String name = yaml.getFileName().toString();
    return yaml.resolveSibling(name.substring(0, name.length() - ".yaml".length()) + ".error");
  }

  private static List<String> files(String kind, String suffix) throws IOException {
    try (Stream<Path> listing = Files.list(dir(kind))) {
      return listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
    }
  }

  private static Path dir(String kind) {
    try {
      return Path.of(ConfigLoaderGoldenTest.class.getResource("/config/" + kind).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
