package dev.ensemble.routing;

import dev.ensemble.config.CacheMode;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.Message;
import dev.ensemble.model.Role;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.PoolHealth;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.ratelimit.EndpointLimiter;
import dev.ensemble.routing.affinity.AffinityTable;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelRouterTest {

  private static final long NOW = 1_800_000_000_000L;

  private static String pool(String strategy, String keys) {
    return """
        providers:
          p:
            type: openai
            base_url: http://127.0.0.1:1/v1
            strategy: %s
            keys:
        %s
          nokey:
            type: anthropic
            base_url: http://127.0.0.1:1
            keys: [ { name: empty, api_key: "", endpoints: [ { id: nk-1 } ] } ]
        models:
          m:
            providers: [ { provider: p, model: up-m } ]
          fallback-model:
            providers: [ { provider: nokey, model: claude-x }, { provider: p, model: gpt-x } ]
          unservable:
            providers: [ { provider: nokey, model: claude-y } ]
        """.formatted(strategy, keys);
  }

  private static final String THREE_KEYS = """
              - { name: a, api_key: ka, weight: 0.5, endpoints: [ { id: a-1 } ] }
              - { name: b, api_key: kb, weight: 0.3, endpoints: [ { id: b-1 } ] }
              - { name: c, api_key: kc, weight: 0.2, endpoints: [ { id: c-1 } ] }
      """;

  /** Two Anthropic keys (two cache domains) and a cheaper and a dearer OpenAI-format provider. */
  private static final String CACHE_POOLS = """
      providers:
        ant:
          type: anthropic
          base_url: http://127.0.0.1:1
          keys:
            - { name: k1, api_key: a1, endpoints: [ { id: ant-1 } ] }
            - { name: k2, api_key: a2, endpoints: [ { id: ant-2 } ] }
        cheap:
          type: openai
          base_url: http://127.0.0.1:1/v1
          keys: [ { name: k, api_key: c, endpoints: [ { id: cheap-1 } ] } ]
      models:
        claude:
          pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
          cache: { min_tokens: 1024, ttl_seconds: 300 }
          providers: [ { provider: ant, model: claude-up } ]
        mixed:
          providers:
            - { provider: ant, model: claude-up, pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 } }
            - { provider: cheap, model: cheap-up, pricing: { input: 2.00, output: 10.00, cache_read: 1.00 } }
      """;

  private final Map<String, ProviderPool> pools = new LinkedHashMap<>();
  private final Map<String, EndpointLimiter> limiters = new HashMap<>();
  private final AffinityTable affinity = new AffinityTable(1 << 12);
  private final RouterVerticleLearner learner = new RouterVerticleLearner();
  private long now = NOW;

  private ModelRouter router(String yaml) {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse(yaml);
    config.providers().forEach((name, p) -> {
      List<Endpoint> endpoints = new ArrayList<>();
      for (ProviderConfig.KeyConfig k : p.keys()) {
        for (ProviderConfig.EndpointConfig e : k.endpoints()) {
          endpoints.add(new Endpoint(e.id(), name, k.name(), k.apiKey(), k.weight(), e.rpmLimit(), e.tpmLimit(), p.baseUrl(), ""));
          if (e.rpmLimit() != null || e.tpmLimit() != null) {
            limiters.put(e.id(), new EndpointLimiter(e.rpmLimit(), e.tpmLimit()));
          }
        }
      }
      var kind = ProviderKinds.of(p);
      pools.put(name, new ProviderPool(p, kind.adapter(), kind.auth(), endpoints));
    });
    return new ModelRouter(config, pools, limiters, new EndpointLoad(), affinity, () -> now);
  }

  /** What the router verticle does with a finished request's report: learn its cache writes. */
  private final class RouterVerticleLearner {
    void learn(Selection s) {
      CachePlan plan = s.cachePlan();
      for (long hash : plan.writeHashes()) {
        affinity.put(hash, plan.domain(), plan.ttlSeconds(), NOW);
      }
    }
  }

  private static RoutingHints none() {
    return RoutingHints.of(null);
  }

  /** A conversation with a cacheable system prompt of about {@code systemTokens} tokens and a breakpoint on it. */
  private static UnifiedRequest.Builder conversation(String model, int systemTokens) {
    return UnifiedRequest.builder(model)
        .system(new ContentBlock.Text("s".repeat(systemTokens * 4), new JsonObject().put("type", "ephemeral")))
        .maxTokens(100);
  }

  private static UnifiedRequest request(String model, String firstUserTurn) {
    return UnifiedRequest.builder(model).message(Message.user(firstUserTurn)).build();
  }

  @Test
  void roundRobinVisitsEveryEndpointInTurn() {
    ModelRouter router = router(pool("round_robin", THREE_KEYS));

    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(router.decide(request("m", "hi"), none()).decision().endpointId());
    }

    assertEquals(List.of("a-1", "b-1", "c-1", "a-1", "b-1", "c-1"), picks);
    assertEquals("round_robin", router.decide(request("m", "hi"), none()).decision().reason());
  }

  @Test
  void weightedSplitStaysWithinTwoPercentOfTheWeightsOver10000Decisions() {
    ModelRouter router = router(pool("weighted", THREE_KEYS));

    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(router.decide(request("m", "hi"), none()).decision().endpointId(), 1, Integer::sum);
    }

    assertEquals(0.5, counts.get("a-1") / 10_000.0, 0.02);
    assertEquals(0.3, counts.get("b-1") / 10_000.0, 0.02);
    assertEquals(0.2, counts.get("c-1") / 10_000.0, 0.02);
  }

  @Test
  void sessionAffinityKeepsAConversationOnOneEndpointAndSpreadsConversations() {
    ModelRouter router = router(pool("session_affinity", THREE_KEYS));

    Set<String> endpointsOfOneConversation = new HashSet<>();
    for (int turn = 0; turn < 20; turn++) {
      UnifiedRequest followUp = request("m", "the same first turn").toBuilder().message(Message.assistant("a" + turn))
          .message(Message.user("turn " + turn)).build();
      endpointsOfOneConversation.add(router.decide(followUp, none()).decision().endpointId());
    }
    Set<String> endpointsOfManyConversations = new HashSet<>();
    for (int c = 0; c < 200; c++) {
      endpointsOfManyConversations.add(router.decide(request("m", "conversation " + c), none()).decision().endpointId());
    }

    assertEquals(1, endpointsOfOneConversation.size());
    assertEquals(Set.of("a-1", "b-1", "c-1"), endpointsOfManyConversations);
    Selection s = router.decide(request("m", "x"), none());
    assertEquals("session_affinity", s.decision().reason());
    assertFalse(s.decision().cacheOptimized(), "no prompt cache decided it");
  }

  @Test
  void explicitSessionHeaderPinsTheEndpointWhateverThePrompt() {
    ModelRouter router = router(pool("session_affinity", THREE_KEYS));

    Set<String> endpoints = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      endpoints.add(router.decide(request("m", "different prompt " + i), RoutingHints.of("session-42")).decision().endpointId());
    }

    assertEquals(1, endpoints.size());
  }

  @Test
  void leastUsedPrefersTheEndpointWithTheMostHeadroom() {
    ModelRouter router = router(pool("least_used", """
              - { name: a, api_key: ka, endpoints: [ { id: a-1, rpm_limit: 100 } ] }
              - { name: b, api_key: kb, endpoints: [ { id: b-1, rpm_limit: 100 } ] }
              - { name: c, api_key: kc, endpoints: [ { id: c-1, rpm_limit: 100 } ] }
        """));
    for (int i = 0; i < 30; i++) {
      limiters.get("a-1").tryAdmit(0, NOW);
      limiters.get("c-1").tryAdmit(0, NOW);
    }

    assertEquals("b-1", router.decide(request("m", "hi"), none()).decision().endpointId());
    assertEquals("least_used", router.decide(request("m", "hi"), none()).decision().reason());
  }

  @Test
  void loadOlderThanAMinuteIsForgotten() {
    EndpointLoad load = new EndpointLoad();
    load.record("a-1", 100, NOW - 61_000);
    load.record("a-1", 100, NOW - 30_000);

    assertEquals(1, load.requestsLastMinute("a-1", NOW));
    assertEquals(100, load.tokensLastMinute("a-1", NOW));
  }

  @Test
  void unknownModelIs404() {
    GatewayError error = assertThrows(GatewayError.class, () -> router(pool("round_robin", THREE_KEYS)).decide(request("nope", "hi"), null));

    assertEquals(404, error.status());
    assertEquals("model", error.param());
  }

  @Test
  void providerWithoutAKeyIsSkippedForTheNextServingProvider() {
    Selection s = router(pool("round_robin", THREE_KEYS)).decide(request("fallback-model", "hi"), none());

    assertEquals("p", s.decision().provider());
    assertEquals("gpt-x", s.upstreamModel());
  }

  @Test
  void modelWhoseProvidersHaveNoKeyIs503NamingThem() {
    GatewayError error = assertThrows(GatewayError.class, () -> router(pool("round_robin", THREE_KEYS)).decide(request("unservable", "hi"), none()));

    assertEquals(503, error.status());
    assertTrue(error.getMessage().contains("nokey"), error.getMessage());
  }

  @Test
  void providerSlashModelAddressesOneProviderDirectly() {
    Selection s = router(pool("round_robin", THREE_KEYS)).decide(request("p/up-m", "hi"), none());

    assertEquals("p", s.decision().provider());
    assertEquals("up-m", s.upstreamModel());
  }

  @Test
  void singleEndpointSaysSo() {
    Selection s = router(pool("session_affinity", "      - { name: a, api_key: ka, endpoints: [ { id: only } ] }\n")).decide(request("m", "hi"), none());

    assertEquals("only_endpoint", s.decision().reason());
  }

  @Test
  void providerSlashModelTakesThePricesAndCacheOfTheModelThatProviderServesUnderThatId() {
    ModelRouter router = router("""
        providers:
          p:
            type: openai
            base_url: http://127.0.0.1:1/v1
            keys: [ { name: a, api_key: ka, endpoints: [ { id: a-1 } ] } ]
        models:
          m:
            pricing: { input: 2, output: 8, cache_read: 0.5 }
            cache: { min_tokens: 4096 }
            providers: [ { provider: p, model: up-m } ]
        """);

    Selection known = router.decide(request("p/up-m", "hi"), none());
    Selection unknown = router.decide(request("p/other", "hi"), none());

    assertEquals(0, new java.math.BigDecimal("0.5").compareTo(known.pricing().cacheRead()));
    assertEquals(new ModelConfig.CacheSettings(CacheMode.AUTOMATIC, 4096, 86_400), known.cache());
    assertEquals(ModelConfig.Pricing.FREE, unknown.pricing());
    assertEquals(new ModelConfig.CacheSettings(CacheMode.AUTOMATIC, 1024, 86_400), unknown.cache());
    assertEquals("other", unknown.upstreamModel());
  }

  private static UnifiedRequest followUp(UnifiedRequest first, String answer, String next) {
    return first.toBuilder().message(Message.assistant(answer)).message(Message.user(next)).build();
  }

  @Test
  void followUpTurnGoesWhereThePrefixIsCached() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest first = conversation("claude", 2_000).message(Message.user("q1")).build();
    Selection s1 = router.decide(first, none());
    learner.learn(s1);

    Selection s2 = router.decide(followUp(first, "a1", "q2"), none());

    assertEquals(s1.endpoint().id(), s2.endpoint().id());
    assertEquals("cache_affinity", s2.decision().reason());
    assertTrue(s2.decision().cacheOptimized());
    // ~2,000 cached tokens x ($3.00 - $0.30) per million
    assertEquals(0.0054, s2.decision().estimatedValue().doubleValue(), 0.0002);
    assertTrue(s2.cachePlan().predictedHit());
  }

  @Test
  void cachedPrefixWinsOverTheSessionHash() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest request = conversation("claude", 2_000).message(Message.user("q1")).build();
    String hashed = router.decide(request, none()).endpoint().id();
    String other = hashed.equals("ant-1") ? "ant-2" : "ant-1";
    Selection probe = router.decide(request, RoutingHints.of(null).failedOver(hashed, null, "x"));
    for (long hash : probe.cachePlan().writeHashes()) {
      affinity.put(hash, probe.cachePlan().domain(), 300, NOW);
    }

    Selection s = router.decide(request, none());

    assertEquals(other, s.endpoint().id());
    assertEquals("cache_affinity", s.decision().reason());
  }

  @Test
  void belowTheProvidersMinimumPrefixNoAffinityIsClaimed() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest first = conversation("claude", 500).message(Message.user("q1")).build();
    Selection s1 = router.decide(first, none());
    learner.learn(s1);

    Selection s2 = router.decide(followUp(first, "a1", "q2"), none());

    assertEquals(0, s1.cachePlan().writeHashes().length);
    assertFalse(s2.decision().cacheOptimized());
    assertEquals("session_affinity", s2.decision().reason());
  }

  @Test
  void affinityExpiresWithTheProvidersTtl() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest first = conversation("claude", 2_000).message(Message.user("q1")).build();
    learner.learn(router.decide(first, none()));

    now = NOW + 299_000;
    assertEquals("cache_affinity", router.decide(followUp(first, "a1", "q2"), none()).decision().reason());
    now = NOW + 301_000;
    assertEquals("session_affinity", router.decide(followUp(first, "a1", "q2"), none()).decision().reason());
  }

  @Test
  void cacheHitWorthMoreThanItsPenaltyBeatsACheaperProvider() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest first = conversation("mixed", 2_000).message(Message.user("q1")).build();
    assertEquals("cheap", router.decide(first, none()).decision().provider(), "cheapest without a cache");
    Selection onAnthropic = router.decide(first, RoutingHints.of(null).failedOver("cheap-1", "cheap", "x"));
    learner.learn(onAnthropic);

    Selection s = router.decide(followUp(first, "a1", "q2"), none());

    assertEquals("ant", s.decision().provider());
    assertEquals("cache_affinity", s.decision().reason());
    assertTrue(s.decision().costPenalty().signum() > 0);
    assertTrue(s.decision().estimatedValue().compareTo(s.decision().costPenalty()) > 0);
  }

  @Test
  void cacheHitWorthLessThanItsPenaltyLosesToTheCheaperProvider() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest first = conversation("mixed", 1_100).message(Message.user("q1")).build();
    learner.learn(router.decide(first, RoutingHints.of(null).failedOver("cheap-1", "cheap", "x")));

    Selection s = router.decide(followUp(first, "a1", "x".repeat(80_000)), none());

    assertEquals("cheap", s.decision().provider());
    assertFalse(s.decision().cacheOptimized());
  }

  @Test
  void endpointsAtTheirRateLimitAreFilteredThenTheCallerGets429WithRetryAfter() {
    ModelRouter router = router(pool("round_robin", """
              - { name: a, api_key: ka, endpoints: [ { id: a-1, rpm_limit: 1 } ] }
              - { name: b, api_key: kb, endpoints: [ { id: b-1, rpm_limit: 1 } ] }
        """));

    Set<String> used = Set.of(router.decide(request("m", "1"), none()).endpoint().id(), router.decide(request("m", "2"), none()).endpoint().id());
    GatewayError full = assertThrows(GatewayError.class, () -> router.decide(request("m", "3"), none()));

    assertEquals(Set.of("a-1", "b-1"), used);
    assertEquals(429, full.status());
    assertEquals(60L, full.retryAfterSeconds());
  }

  @Test
  void aCachedEndpointAtItsLimitGivesWayToOneWithRoomThen429WhenAllAreFull() {
    ModelRouter router = router(CACHE_POOLS.replace("endpoints: [ { id: ant-1 } ]", "endpoints: [ { id: ant-1, rpm_limit: 2 } ]")
        .replace("endpoints: [ { id: ant-2 } ]", "endpoints: [ { id: ant-2, rpm_limit: 2 } ]"));
    UnifiedRequest first = conversation("claude", 2_000).message(Message.user("q1")).build();
    Selection cached = router.decide(first, none());
    learner.learn(cached);
    UnifiedRequest next = followUp(first, "a1", "q2");
    assertEquals("cache_affinity", router.decide(next, none()).decision().reason());

    Selection third = router.decide(next, none());

    String other = cached.endpoint().id().equals("ant-1") ? "ant-2" : "ant-1";
    assertEquals(other, third.endpoint().id());
    assertEquals("only_endpoint", third.decision().reason());
    assertEquals(other, router.decide(next, none()).endpoint().id());
    assertEquals(429, assertThrows(GatewayError.class, () -> router.decide(next, none())).status());
  }

  @Test
  void tokenLimitAdmitsTheEstimateAndTheCorrectionGivesItBack() {
    ModelRouter router = router(pool("round_robin", "      - { name: a, api_key: ka, endpoints: [ { id: a-1, tpm_limit: 3000 } ] }\n"));
    UnifiedRequest big = UnifiedRequest.builder("m").message(Message.user("x".repeat(4_000))).maxTokens(1_000).build();

    Selection s = router.decide(big, none());
    assertEquals(2_000, s.estimatedTokens());
    assertThrows(GatewayError.class, () -> router.decide(big, none()));
    limiters.get("a-1").correctTokens(-1_500, NOW);

    assertEquals("a-1", router.decide(big, none()).endpoint().id());
  }

  @Test
  void coolingDownDisabledAndOpenEndpointsGetNoTraffic() {
    ModelRouter router = router(pool("round_robin", THREE_KEYS));
    PoolHealth.set(pools.get("p"), Map.of(
        "a-1", PoolHealth.coolingDownUntil(NOW + 5_000),
        "b-1", PoolHealth.keyDisabled(),
        "c-1", PoolHealth.openUntil(NOW + 10_000)));

    GatewayError error = assertThrows(GatewayError.class, () -> router.decide(request("m", "hi"), none()));

    assertEquals(429, error.status());
    assertEquals(5L, error.retryAfterSeconds());
  }

  @Test
  void halfOpenCircuitLetsExactlyOneProbeThrough() {
    ModelRouter router = router(pool("round_robin", """
              - { name: a, api_key: ka, endpoints: [ { id: a-1 } ] }
              - { name: b, api_key: kb, endpoints: [ { id: b-1 } ] }
        """));
    PoolHealth.set(pools.get("p"), Map.of("a-1", PoolHealth.openUntil(NOW - 1), "b-1", PoolHealth.openUntil(NOW + 60_000)));

    Selection probe = router.decide(request("m", "hi"), none());

    assertEquals("a-1", probe.endpoint().id());
    assertThrows(GatewayError.class, () -> router.decide(request("m", "hi"), none()));
  }

  @Test
  void failoverAfter429StaysInThePoolAndSaysWhy() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest request = conversation("mixed", 10).message(Message.user("q")).build();
    Selection first = router.decide(request, none());

    RoutingHints after = none().failedOver(first.endpoint().id(), null, "429").preferring("cheap");
    GatewayError nothingLeft = assertThrows(GatewayError.class, () -> router.decide(request, after.preferring(null)
        .failedOver("ant-1", null, "429").failedOver("ant-2", null, "429")));
    Selection next = router.decide(request, none().failedOver("ant-1", null, "429").preferring("ant"));

    assertEquals("cheap-1", first.endpoint().id());
    assertEquals(503, nothingLeft.status());
    assertEquals("ant-2", next.endpoint().id());
    assertEquals("failover:429", next.decision().reason());
  }

  @Test
  void failoverAfterAServerErrorPrefersAnotherProvider() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest request = conversation("mixed", 10).message(Message.user("q")).build();

    Selection next = router.decide(request, none().failedOver("cheap-1", "cheap", "503"));
    Selection lastResort = router.decide(request, none().failedOver("ant-1", "ant", "503").failedOver("ant-2", "ant", "503")
        .failedOver("x", "cheap", "503"));

    assertEquals("ant", next.decision().provider());
    assertEquals("failover:503", next.decision().reason());
    assertEquals("cheap", lastResort.decision().provider());
  }

  @Test
  void failoverThatLeavesAWarmCacheSaysSo() {
    ModelRouter router = router(CACHE_POOLS);
    UnifiedRequest first = conversation("claude", 2_000).message(Message.user("q1")).build();
    Selection s1 = router.decide(first, none());
    learner.learn(s1);

    Selection s2 = router.decide(followUp(first, "a1", "q2"), none().failedOver(s1.endpoint().id(), null, "529"));

    assertEquals("failover:529:cache_lost", s2.decision().reason());
    assertFalse(s2.decision().cacheOptimized());
  }

  @Test
  void decisionsAreCountedByReason() {
    ModelRouter router = router(pool("round_robin", THREE_KEYS));
    for (int i = 0; i < 3; i++) {
      router.decide(request("m", "hi"), none());
    }

    assertEquals(Map.of("round_robin", 3L), router.decisionCounts());
  }
}
