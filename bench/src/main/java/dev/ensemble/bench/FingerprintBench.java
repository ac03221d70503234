package dev.ensemble.bench;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.config.CacheMode;
import dev.ensemble.routing.affinity.Fingerprints;
import dev.ensemble.routing.affinity.PrefixFingerprinter;
import io.vertx.core.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@link PrefixFingerprinter#fingerprint} on realistic prompts: three tools with JSON schemas, a system
 * prompt, then alternating user and assistant turns, with breakpoints on the system prompt and the last
 * user turn (used by the explicit mode only).
 * <ul>
 *   <li>{@code chat}: a 2k-token system prompt (8,000 chars) and 10 turns of about 8 KB of text in all;
 *   <li>{@code long}: about 30k tokens: the same system prompt and 20 turns of 5,600 chars.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class FingerprintBench {

  private static final String[] WORDS = {
      "the", "request", "cache", "prefix", "model", "token", "router", "endpoint", "answer", "system",
      "prompt", "of", "and", "to", "a", "in", "is", "that", "for", "with", "provider", "latency", "turn",
  };
  private static final JsonObject EPHEMERAL = new JsonObject().put("type", "ephemeral");

  @Param({"chat", "long"})
  public String prompt;

  @Param({"AUTOMATIC", "EXPLICIT"})
  public CacheMode mode;

  private final PrefixFingerprinter fingerprinter = new PrefixFingerprinter();
  private UnifiedRequest request;

  @Setup(Level.Trial)
  public void build() {
    SplittableRandom random = new SplittableRandom(7);
    int turns = prompt.equals("chat") ? 10 : 20;
    int turnChars = prompt.equals("chat") ? 800 : 5_600;
    UnifiedRequest.Builder b = UnifiedRequest.builder("claude-sonnet")
        .system(new ContentBlock.Text(text(random, 8_000), EPHEMERAL));
    for (String tool : List.of("search", "read_file", "run_tests")) {
      b.tool(new ToolDefinition(tool, text(random, 200), new JsonObject()
          .put("type", "object")
          .put("properties", new JsonObject()
              .put("query", new JsonObject().put("type", "string").put("description", text(random, 80)))
              .put("limit", new JsonObject().put("type", "integer").put("minimum", 1).put("maximum", 100)))
          .put("required", List.of("query")), null));
    }
    for (int i = 0; i < turns; i++) {
      boolean last = i == turns - 1;
      Role role = i % 2 == 0 ? Role.USER : Role.ASSISTANT;
      b.message(new Message(role, List.of(new ContentBlock.Text(text(random, turnChars), last ? EPHEMERAL : null))));
    }
    request = b.build();
    Fingerprints f = fingerprinter.fingerprint(request, mode, 1024);
    System.out.printf("%n%s: %,d estimated tokens, %d lookups, %d writes%n",
        prompt, f.promptTokens(), f.lookupCount(), f.writeCount());
  }

  @Benchmark
  public Fingerprints fingerprint() {
    return fingerprinter.fingerprint(request, mode, 1024);
  }

  private static String text(SplittableRandom random, int chars) {
    StringBuilder sb = new StringBuilder(chars + 16);
    while (sb.length() < chars) {
      sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    sb.setLength(chars);
    return sb.toString();
  }
}
