package dev.ensemble.bench;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.Usage;
import dev.ensemble.ratelimit.LocalRateLimiter;
import dev.ensemble.routing.CachePredictions;
import dev.ensemble.routing.RouterVerticle;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.json.JsonObject;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Replays a {@link SyntheticTrace} through the real {@link dev.ensemble.routing.ModelRouter} and the real
 * learning step of {@link RouterVerticle} (its private {@code learn}, called reflectively with the
 * {@link UsageReport} the gateway would publish) on a simulated clock, against a {@link SimulatedPromptCache}
 * per cache domain (provider + key), and prices every answer with the catalog's prices. Requests of all
 * sessions are interleaved in time order (discrete events: a request is routed and served by the simulated
 * provider when it is sent, and learnt from when its answer ends; the session's next turn follows after its
 * think time).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.ensemble.bench.TraceReplay [catalog] [sessions] [seed]}
 * (defaults {@code conf/models.yaml}, 2000, 1), run from the repository root.
 */
public final class TraceReplay {

  static final long SPAN_MILLIS = 2 * 3_600_000L;
  static final long EPOCH = 1_800_000_000_000L;
  static final int KEYS = 4;
  private static final JsonObject EPHEMERAL = new JsonObject().put("type", "ephemeral");

  /** A request being sent, or an answer ending. */
  private record Event(long time, long seq, SyntheticTrace.Session session, int turn, Selection selection, Usage usage) {}

  /** Totals of one replay. */
  static final class Totals {
    long requests;
    long promptTokens;
    long uncachedTokens;
    long readTokens;
    long writeTokens;
    long outputTokens;
    long entriesWritten;
    long readHits;
    double uncachedUsd;
    double readUsd;
    double writeUsd;
    double outputUsd;
    double noCacheUsd;
    final Map<String, Long> byProvider = new LinkedHashMap<>();
    final Map<String, Long> byEndpoint = new HashMap<>();
    Map<String, Long> decisions;
    long confirmed;
    long missed;
    long unpredicted;

    double totalUsd() {
      return uncachedUsd + readUsd + writeUsd + outputUsd;
    }
  }

  private final SyntheticTrace trace;
  private final String catalog;

  TraceReplay(SyntheticTrace trace, String catalog) {
    this.trace = trace;
    this.catalog = catalog;
  }

  public static void main(String[] args) throws Exception {
    String catalog = Path.of(args.length > 0 ? args[0] : "conf/models.yaml").toAbsolutePath().toString();
    int sessions = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
    long started = System.nanoTime();
    SyntheticTrace trace = new SyntheticTrace(seed, sessions, SPAN_MILLIS);
    TraceReplay replay = new TraceReplay(trace, catalog);
    long turns = trace.sessions.stream().mapToLong(SyntheticTrace.Session::turns).sum();
    System.out.printf(Locale.ROOT, "Trace: seed %d, %,d sessions over %d h, %,d requests; system prompts %s tokens; catalog %s%n%n",
        seed, sessions, SPAN_MILLIS / 3_600_000, turns, java.util.Arrays.toString(SyntheticTrace.SYSTEM_TOKENS), catalog);

    Map<String, Totals> single = new LinkedHashMap<>();
    for (String strategy : List.of("session_affinity", "round_robin", "least_used")) {
      single.put(strategy, replay.run(anthropicOnly(catalog, strategy), "claude-sonnet-4-5"));
    }
    print("claude-sonnet-4-5 on 4 Anthropic keys (explicit breakpoints, 5-min TTL)", single);

    Map<String, Totals> mixed = new LinkedHashMap<>();
    for (String strategy : List.of("session_affinity", "round_robin", "least_used")) {
      mixed.put(strategy, replay.run(mixed(catalog, strategy), "mixed"));
    }
    print("\"mixed\": Anthropic (claude-sonnet-4-5 prices, 4 keys) + OpenAI (gpt-5.4 prices, 4 keys, automatic caching)", mixed);
    System.out.printf(Locale.ROOT, "Replayed in %.1f s%n", (System.nanoTime() - started) / 1e9);
  }

  Totals run(String yaml, String model) throws ReflectiveOperationException {
    long[] clock = {EPOCH};
    RouterFixture fixture = new RouterFixture(yaml, 1 << 21, () -> clock[0]);
    CachePredictions predictions = new CachePredictions();
    RouterVerticle verticle = new RouterVerticle(fixture.router, fixture.load, fixture.limiters, new LocalRateLimiter(Map.of()),
        fixture.affinity, predictions, () -> clock[0]);
    Method learn = RouterVerticle.class.getDeclaredMethod("learn", UsageReport.class);
    learn.setAccessible(true);

    Map<String, SimulatedPromptCache> caches = new HashMap<>();
    Map<Integer, String[]> texts = new HashMap<>();
    PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
    long seq = 0;
    for (SyntheticTrace.Session s : trace.sessions) {
      events.add(new Event(EPOCH + s.startMillis(), seq++, s, 0, null, null));
    }
    RoutingHints hints = RoutingHints.of(null);
    Totals totals = new Totals();
    while (!events.isEmpty()) {
      Event e = events.poll();
      clock[0] = e.time;
      SyntheticTrace.Session s = e.session;
      if (e.selection == null) {
        String[] sessionTexts = texts.computeIfAbsent(s.id(), id -> trace.texts(s));
        int[] blockTokens = new int[2 * e.turn + 2];
        UnifiedRequest request = request(model, trace.systemPrompts[s.systemId()], sessionTexts, e.turn, blockTokens);
        Selection selection = fixture.router.decide(request, hints);
        String domain = selection.pool().name() + "/" + selection.endpoint().keyName();
        SimulatedPromptCache.Outcome outcome = caches.computeIfAbsent(domain, d -> new SimulatedPromptCache())
            .serve(selection.cache(), s.systemId(), s.id(), blockTokens, s.answerTokens()[e.turn], e.time);
        account(totals, selection, outcome);
        long done = e.time + SyntheticTrace.latencyMillis(blockTokens[blockTokens.length - 1], s.answerTokens()[e.turn]);
        events.add(new Event(done, seq++, s, e.turn, selection, outcome.usage()));
      } else {
        UsageReport report = new UsageReport("r" + e.seq, 1, e.selection.pool().name(), e.selection.endpoint().id(), model, e.usage,
            dev.ensemble.pricing.CostCalculator.cost(e.usage, e.selection.pricing()), 200, true, 500, e.time, e.selection.estimatedTokens(),
            e.selection.cachePlan());
        try {
          learn.invoke(verticle, report);
        } catch (InvocationTargetException ex) {
          throw new IllegalStateException(ex.getCause());
        }
        if (e.turn + 1 < s.turns()) {
          events.add(new Event(e.time + s.thinkMillis()[e.turn], seq++, s, e.turn + 1, null, null));
        } else {
          texts.remove(s.id());
        }
      }
    }
    totals.decisions = fixture.router.decisionCounts();
    totals.confirmed = predictions.confirmed();
    totals.missed = predictions.missed();
    totals.unpredicted = predictions.unpredicted();
    return totals;
  }

  /** System prompt (breakpoint), then user/assistant turns up to user turn {@code turn} (breakpoint). */
  private static UnifiedRequest request(String model, String system, String[] texts, int turn, int[] blockTokens) {
    UnifiedRequest.Builder b = UnifiedRequest.builder(model).maxTokens(1_024).system(new ContentBlock.Text(system, EPHEMERAL));
    int tokens = system.length() / 4;
    blockTokens[0] = tokens;
    int messages = 2 * turn + 1;
    for (int m = 0; m < messages; m++) {
      boolean last = m == messages - 1;
      b.message(new Message(m % 2 == 0 ? Role.USER : Role.ASSISTANT, List.of(new ContentBlock.Text(texts[m], last ? EPHEMERAL : null))));
      tokens += texts[m].length() / 4;
      blockTokens[m + 1] = tokens;
    }
    return b.build();
  }

  private static void account(Totals t, Selection selection, SimulatedPromptCache.Outcome outcome) {
    ModelConfig.Pricing p = selection.pricing();
    Usage u = outcome.usage();
    long read = Usage.orZero(u.cacheRead());
    long write = Usage.orZero(u.cacheWrite());
    long uncached = Usage.orZero(u.input());
    long output = Usage.orZero(u.output());
    t.requests++;
    t.promptTokens += u.promptTotal();
    t.uncachedTokens += uncached;
    t.readTokens += read;
    t.writeTokens += write;
    t.outputTokens += output;
    t.entriesWritten += outcome.entriesWritten();
    t.readHits += read > 0 ? 1 : 0;
    t.uncachedUsd += uncached * p.input().doubleValue() / 1e6;
    t.readUsd += read * p.cacheRead().doubleValue() / 1e6;
    t.writeUsd += write * p.cacheWrite().doubleValue() / 1e6;
    t.outputUsd += output * p.output().doubleValue() / 1e6;
    t.noCacheUsd += u.promptTotal() * p.input().doubleValue() / 1e6 + output * p.output().doubleValue() / 1e6;
    t.byProvider.merge(selection.pool().name(), 1L, Long::sum);
    t.byEndpoint.merge(selection.endpoint().id(), 1L, Long::sum);
  }

  private static void print(String title, Map<String, Totals> results) {
    System.out.printf("### %s%n%n", title);
    System.out.println("| strategy | requests | prompt tokens | cache-read share | requests with a hit | cache writes (entries) | write tokens | uncached $ | read $ | write $ | output $ | total $ | no-cache $ |");
    System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    results.forEach((strategy, t) -> System.out.printf(Locale.ROOT,
        "| %s | %,d | %,d | %.1f %% | %.1f %% | %,d | %,d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n",
        strategy, t.requests, t.promptTokens, 100.0 * t.readTokens / t.promptTokens, 100.0 * t.readHits / t.requests,
        t.entriesWritten, t.writeTokens, t.uncachedUsd, t.readUsd, t.writeUsd, t.outputUsd, t.totalUsd(), t.noCacheUsd));
    System.out.println();
    Totals affinity = results.get("session_affinity");
    results.forEach((strategy, t) -> {
      if (t != affinity) {
        double saved = t.totalUsd() - affinity.totalUsd();
        System.out.printf(Locale.ROOT, "- session_affinity vs %s: saves $%.2f (%.1f %% of %s's $%.2f)%n",
            strategy, saved, 100 * saved / t.totalUsd(), strategy, t.totalUsd());
      }
    });
    System.out.println();
    results.forEach((strategy, t) -> System.out.printf(Locale.ROOT,
        "- %s: by provider %s; busiest endpoint %.1f %% of requests, quietest %.1f %%; decisions %s; cache predictions"
            + " confirmed %,d, missed %,d, unpredicted hits %,d%n",
        strategy, t.byProvider, 100.0 * t.byEndpoint.values().stream().mapToLong(Long::longValue).max().orElse(0) / t.requests,
        100.0 * t.byEndpoint.values().stream().mapToLong(Long::longValue).min().orElse(0) / t.requests,
        t.decisions, t.confirmed, t.missed, t.unpredicted));
    System.out.println();
  }

  static String anthropicOnly(String catalog, String strategy) {
    return """
        catalog: %s
        providers:
          anthropic:
            type: anthropic
            base_url: http://127.0.0.1:1
            strategy: %s
            keys:
        %s""".formatted(catalog, strategy, RouterFixture.keys("ant", KEYS, ""));
  }

  /** One model served by Anthropic and OpenAI, at the catalog's claude-sonnet-4-5 and gpt-5.4 prices. */
  static String mixed(String catalog, String strategy) {
    RouterFixture probe = new RouterFixture(anthropicOnly(catalog, strategy) + """
          openai:
            type: openai
            base_url: http://127.0.0.1:1/v1
            keys: [ { name: o, api_key: o, endpoints: [ { id: o-1 } ] } ]
        """, 1 << 4, () -> EPOCH);
    ModelConfig.Pricing claude = probe.config.models().get("claude-sonnet-4-5").providers().get(0).pricing();
    ModelConfig.Pricing gpt = probe.config.models().get("gpt-5.4").providers().get(0).pricing();
    return anthropicOnly(catalog, strategy) + """
          openai:
            type: openai
            base_url: http://127.0.0.1:1/v1
            strategy: %s
            keys:
        %s
        models:
          mixed:
            providers:
              - { provider: anthropic, model: claude-sonnet-4-5-20250929, pricing: %s }
              - { provider: openai, model: gpt-5.4, pricing: %s }
        """.formatted(strategy, RouterFixture.keys("oai", KEYS, ""), yaml(claude), yaml(gpt));
  }

  private static String yaml(ModelConfig.Pricing p) {
    return "{ input: %s, output: %s, cache_read: %s, cache_write: %s }".formatted(p.input().toPlainString(), p.output().toPlainString(),
        p.cacheRead().toPlainString(), p.cacheWrite().toPlainString());
  }
}
