package dev.ensemble.bench;

import dev.ensemble.config.CacheMode;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.ToolDefinition;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.routing.CachePlan;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.routing.affinity.AffinityTable;
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

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One full {@link ModelRouter#decide} over 100 (or 4) endpoints: one {@code session_affinity} Anthropic provider
 * with 100 keys (100 cache domains), each endpoint with rpm/tpm limits (so the limit filter runs but never refuses), and an {@link AffinityTable} of the production size (2^21 slots) holding 1,000,000 live
 * fingerprints spread over the 100 domains. The request: three tools with JSON schemas, a 2k-token system
 * prompt with a breakpoint, and a few turns with a breakpoint on the last user turn.
 * <ul>
 *   <li>{@code decideHit}: a follow-up turn whose previous turn was learnt (as the router verticle learns it):
 *       the decision is {@code cache_affinity};</li>
 *   <li>{@code decideSharedSystem}: the first turn of a new conversation whose system prompt (and tools) is
 *       cached in one domain: {@code cache_affinity} through the tools-and-system checkpoint;</li>
 *   <li>{@code decideMiss}: the first turn of a conversation nothing is cached for: the session hash
 *       (rendezvous over the endpoints) decides; {@code decideMissWithSession} the same with an
 *       {@code X-Ensemble-Session} header, whose key does not hash the prompt;</li>
 *   <li>{@code fingerprintHit} / {@code fingerprintMiss}: only the fingerprinting of the same requests, which
 *       {@code decide} does once per request, to give its share.</li>
 * </ul>
 * The router's clock advances per call so that the endpoint a case keeps choosing stays at half its rpm limit
 * (a limit refusing it would change the decision), and the limiters refill as in production.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RouterDecisionBench {

  static final int SLOTS = 1 << 21;
  static final int LIVE = 1_000_000;
  static final long START = 1_800_000_000_000L;
  static final int LEARNT_TTL = 86_400;
  private static final JsonObject EPHEMERAL = new JsonObject().put("type", "ephemeral");
  private static final String[] WORDS = {
      "the", "request", "cache", "prefix", "model", "token", "router", "endpoint", "answer", "system",
      "prompt", "of", "and", "to", "a", "in", "is", "that", "for", "with", "provider", "latency", "turn",
  };

  /** Endpoints (keys, cache domains) of the provider. */
  @Param({"100", "4"})
  public int endpoints;

  /**
   * Each key's requests per minute. The local limiter keeps an exact log of that many admission times per
   * endpoint, so this sets the memory the limit filter walks over: 10,000 (a high provider tier) is 80 KB per
   * endpoint; 1,000,000 is 8 MiB per endpoint, 800 MiB for 100 of them.
   */
  @Param({"10000"})
  public int rpm;

  private long now = START;
  /** Milliseconds the router's clock advances per decision: one endpoint taking every request stays at half its rpm. */
  private long step;
  private ModelRouter router;
  private final RoutingHints hints = RoutingHints.of(null);
  private final RoutingHints sessionHeader = RoutingHints.of("session-4711");
  private final PrefixFingerprinter fingerprinter = new PrefixFingerprinter();
  private UnifiedRequest followUp;
  private UnifiedRequest sharedSystem;
  private UnifiedRequest fresh;

  @Setup(Level.Trial)
  public void build() {
    String yaml = """
        providers:
          anthropic:
            type: anthropic
            base_url: http://127.0.0.1:1
            strategy: session_affinity
            keys:
        %s
        models:
          claude-sonnet-4-5:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: anthropic, model: claude-sonnet-4-5-20250929 } ]
        """.formatted(RouterFixture.keys("ant", endpoints, "rpm_limit: " + rpm + ", tpm_limit: 2000000000"));
    step = Math.max(1, 120_000 / rpm);
    RouterFixture fixture = new RouterFixture(yaml, SLOTS, () -> now);
    router = fixture.router;
    AffinityTable table = fixture.affinity;
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < LIVE; i++) {
      table.put(random.nextLong(), i % endpoints, LEARNT_TTL, START);
    }

    String system = text(random, 8_000);
    List<Message> turns = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      turns.add(new Message(i % 2 == 0 ? Role.USER : Role.ASSISTANT, List.of(new ContentBlock.Text(text(random, i % 2 == 0 ? 800 : 1_600), null))));
    }
    UnifiedRequest previous = conversation(random, system, turns);
    turns.add(Message.assistant(text(random, 1_600)));
    turns.add(Message.user(text(random, 800)));
    followUp = conversation(random, system, turns);
    sharedSystem = conversation(random, system, List.of(Message.user(text(random, 800))));
    fresh = conversation(random, text(random, 8_000), List.of(Message.user(text(random, 800))));

    learn(table, router.decide(previous, hints));
    check("hit", decideHit(), "cache_affinity");
    check("shared system", decideSharedSystem(), "cache_affinity");
    check("miss", decideMiss(), "session_affinity");
    check("miss with session", decideMissWithSession(), "session_affinity");
    System.out.printf("%naffinity table: %,d entries of %,d slots; follow-up: %s%n", table.size(), table.capacity(),
        describe(fingerprinter.fingerprint(followUp, CacheMode.EXPLICIT, 1024)));
  }

  @Benchmark
  public Selection decideHit() {
    now += step;
    return router.decide(followUp, hints);
  }

  @Benchmark
  public Selection decideSharedSystem() {
    now += step;
    return router.decide(sharedSystem, hints);
  }

  @Benchmark
  public Selection decideMiss() {
    now += step;
    return router.decide(fresh, hints);
  }

  /** {@code decideMiss} with an {@code X-Ensemble-Session} header: the session key then skips hashing the prompt. */
  @Benchmark
  public Selection decideMissWithSession() {
    now += step;
    return router.decide(fresh, sessionHeader);
  }

  @Benchmark
  public Fingerprints fingerprintHit() {
    return fingerprinter.fingerprint(followUp, CacheMode.EXPLICIT, 1024);
  }

  @Benchmark
  public Fingerprints fingerprintMiss() {
    return fingerprinter.fingerprint(fresh, CacheMode.EXPLICIT, 1024);
  }

  /** What the router verticle learns from an answered request: its write checkpoints, in its domain. */
  private void learn(AffinityTable table, Selection s) {
    CachePlan plan = s.cachePlan();
    for (long hash : plan.writeHashes()) {
      table.put(hash, plan.domain(), LEARNT_TTL, now);
    }
  }

  private static void check(String what, Selection s, String reason) {
    if (!s.decision().reason().equals(reason)) {
      throw new IllegalStateException(what + ": expected " + reason + ", got " + s.decision().reason());
    }
  }

  private static String describe(Fingerprints f) {
    return String.format("%,d estimated tokens, %d lookups, %d writes", f.promptTokens(), f.lookupCount(), f.writeCount());
  }

  /** Three tools, the system prompt with a breakpoint, the turns with a breakpoint on the last. */
  private static UnifiedRequest conversation(SplittableRandom random, String system, List<Message> turns) {
    UnifiedRequest.Builder b = UnifiedRequest.builder("claude-sonnet-4-5").maxTokens(1_024)
        .system(new ContentBlock.Text(system, EPHEMERAL));
    SplittableRandom tools = new SplittableRandom(system.hashCode());
    for (String tool : List.of("search", "read_file", "run_tests")) {
      b.tool(new ToolDefinition(tool, text(tools, 200), new JsonObject()
          .put("type", "object")
          .put("properties", new JsonObject()
              .put("query", new JsonObject().put("type", "string").put("description", text(tools, 80)))
              .put("limit", new JsonObject().put("type", "integer").put("minimum", 1).put("maximum", 100)))
          .put("required", List.of("query")), null));
    }
    for (int i = 0; i < turns.size(); i++) {
      Message m = turns.get(i);
      if (i == turns.size() - 1) {
        String text = ((ContentBlock.Text) m.content().get(0)).text();
        m = new Message(m.role(), List.of(new ContentBlock.Text(text, EPHEMERAL)));
      }
      b.message(m);
    }
    return b.build();
  }

  static String text(SplittableRandom random, int chars) {
    StringBuilder sb = new StringBuilder(chars + 16);
    while (sb.length() < chars) {
      sb.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
    }
    sb.setLength(chars);
    return sb.toString();
  }
}
