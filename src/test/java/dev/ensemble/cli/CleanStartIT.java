package dev.ensemble.cli;

import dev.ensemble.testing.gateway.GatewayExtension;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ensemble serve --config conf/ensemble.yaml}, as README tells a newcomer to run it, in a JVM of its own:
 * the production {@code logback.xml} (the tests' {@code logback-test.xml} is left off the class path), the jar's
 * {@code Add-Opens}/{@code Add-Exports}, a scratch working directory for {@code data/}, {@code ENSEMBLE_PORT=0}. A
 * clean start, a first request and a SIGTERM stop print no WARN or ERROR line. It must be a fresh JVM: Micrometer
 * logs its gauge re-registration warning once per JVM, so in the shared test JVM another test could have used it
 * up and this check would pass whatever the node did.
 */
class CleanStartIT {

  private static final Pattern LISTENING = Pattern.compile("Ensemble listening on (http://\\S+) ");
  /** A logback line at WARN or ERROR, a JUL warning, or SLF4J's own complaint. */
  private static final Pattern NOT_CLEAN = Pattern.compile("^\\S+ +(WARN|ERROR) |^(WARNING|SEVERE):|^SLF4J\\((W|E)\\)");

  @Test
  void aCleanStartOfTheShippedConfigLogsNoWarning() throws Exception {
    Path workDir = Path.of(GatewayExtension.scratchDir("clean-start"));
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.endsWith("test-classes"))
        .collect(Collectors.joining(File.pathSeparator));
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens", "java.management/sun.management=ALL-UNNAMED",
        "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
        "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
        "-Xmx256m", "-cp", classPath, "dev.ensemble.cli.EnsembleCommand",
        "serve", "--config", Path.of("conf/ensemble.yaml").toAbsolutePath().toString())
        .directory(workDir.toFile())
        .redirectErrorStream(true);
    for (String variable : List.of("ENSEMBLE_HOST", "ENSEMBLE_ADMIN_KEY", "ENSEMBLE_ENCRYPTION_KEY", "ENSEMBLE_CLUSTER_ENABLED",
        "ENSEMBLE_LOG_LEVEL", "REDIS_ADDRESS", "REDIS_PASSWORD", "ANTHROPIC_API_KEY", "OPENAI_API_KEY")) {
      builder.environment().remove(variable);
    }
    builder.environment().put("ENSEMBLE_PORT", "0");

    Process node = builder.start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          lines.add(line);
        }
      } catch (java.io.IOException e) {
        lines.add("reader: " + e);
      }
    }, "clean-start-output");
    reader.setDaemon(true);
    reader.start();
    List<String> output = new ArrayList<>();
    try {
      String baseUrl = null;
      while (baseUrl == null) {
        String line = lines.poll(60, TimeUnit.SECONDS);
        assertNotNull(line, "the node printed nothing for 60 s; so far:\n" + String.join("\n", output));
        output.add(line);
        Matcher listening = LISTENING.matcher(line);
        if (listening.find()) {
          baseUrl = listening.group(1);
        }
      }
      HttpResponse<String> hello = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(10)).header("content-type", "application/json").header("Authorization", "Bearer unused")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"mock-1\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, hello.statusCode(), hello.body());
    } finally {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(10_000);
      lines.drainTo(output);
    }
    String log = String.join("\n", output);
    List<String> warnings = output.stream().filter(line -> NOT_CLEAN.matcher(line).find()).toList();
    assertEquals(List.of(), warnings, "the whole output:\n" + log);
    assertTrue(log.contains("applied schema migration"), "the node logged at INFO through the production logback.xml:\n" + log);
  }
}
