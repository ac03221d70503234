package dev.ensemble.routing;

import dev.ensemble.config.CacheMode;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.Message;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.pools.Endpoint;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.ProviderKinds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
              - { name: a, api_key: ka, weight: 0.5, endpoints: [ { id: a-1, rpm_limit: 100 } ] }
              - { name: b, api_key: kb, weight: 0.3, endpoints: [ { id: b-1, rpm_limit: 100 } ] }
              - { name: c, api_key: kc, weight: 0.2, endpoints: [ { id: c-1, rpm_limit: 100 } ] }
      """;

  private final EndpointLoad load = new EndpointLoad();

  private ModelRouter router(String yaml) {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse(yaml);
    Map<String, ProviderPool> pools = new LinkedHashMap<>();
    config.providers().forEach((name, p) -> {
      List<Endpoint> endpoints = new ArrayList<>();
      for (ProviderConfig.KeyConfig k : p.keys()) {
        for (ProviderConfig.EndpointConfig e : k.endpoints()) {
          endpoints.add(new Endpoint(e.id(), name, k.name(), k.apiKey(), k.weight(), e.rpmLimit(), e.tpmLimit(), p.baseUrl(), ""));
        }
      }
      var kind = ProviderKinds.of(p);
      pools.put(name, new ProviderPool(p, kind.adapter(), kind.auth(), endpoints));
    });
    return new ModelRouter(config, pools, load, () -> NOW);
  }

  private static UnifiedRequest request(String model, String firstUserTurn) {
    return UnifiedRequest.builder(model).message(Message.user(firstUserTurn)).build();
  }

  @Test
  void roundRobinVisitsEveryEndpointInTurn() {
    ModelRouter router = router(pool("round_robin", THREE_KEYS));

    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(router.decide(request("m", "hi"), null).decision().endpointId());
    }

    assertEquals(List.of("a-1", "b-1", "c-1", "a-1", "b-1", "c-1"), picks);
    assertEquals("round_robin", router.decide(request("m", "hi"), null).decision().reason());
  }

  @Test
  void weightedSplitStaysWithinTwoPercentOfTheWeightsOver10000Decisions() {
    ModelRouter router = router(pool("weighted", THREE_KEYS));

    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(router.decide(request("m", "hi"), null).decision().endpointId(), 1, Integer::sum);
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
      endpointsOfOneConversation.add(router.decide(followUp, null).decision().endpointId());
    }
    Set<String> endpointsOfManyConversations = new HashSet<>();
    for (int c = 0; c < 200; c++) {
      endpointsOfManyConversations.add(router.decide(request("m", "conversation " + c), null).decision().endpointId());
    }

    assertEquals(1, endpointsOfOneConversation.size());
    assertEquals(Set.of("a-1", "b-1", "c-1"), endpointsOfManyConversations);
    Selection s = router.decide(request("m", "x"), null);
    assertEquals("session_affinity", s.decision().reason());
    assertTrue(s.decision().cacheOptimized());
  }

  @Test
  void explicitSessionHeaderPinsTheEndpointWhateverThePrompt() {
    ModelRouter router = router(pool("session_affinity", THREE_KEYS));

    Set<String> endpoints = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      endpoints.add(router.decide(request("m", "different prompt " + i), "session-42").decision().endpointId());
    }

    assertEquals(1, endpoints.size());
  }

  @Test
  void leastUsedPrefersTheEndpointWithTheMostHeadroom() {
    ModelRouter router = router(pool("least_used", THREE_KEYS));
    for (int i = 0; i < 30; i++) {
      load.record("a-1", 100, NOW - 1_000);
      load.record("c-1", 100, NOW - 1_000);
    }
    load.record("b-1", 100, NOW - 1_000);

    assertEquals("b-1", router.decide(request("m", "hi"), null).decision().endpointId());
    assertEquals("least_used", router.decide(request("m", "hi"), null).decision().reason());
  }

  @Test
  void loadOlderThanAMinuteIsForgotten() {
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
    Selection s = router(pool("round_robin", THREE_KEYS)).decide(request("fallback-model", "hi"), null);

    assertEquals("p", s.decision().provider());
    assertEquals("gpt-x", s.upstreamModel());
  }

  @Test
  void modelWhoseProvidersHaveNoKeyIs503NamingThem() {
    GatewayError error = assertThrows(GatewayError.class, () -> router(pool("round_robin", THREE_KEYS)).decide(request("unservable", "hi"), null));

    assertEquals(503, error.status());
    assertTrue(error.getMessage().contains("nokey"), error.getMessage());
  }

  @Test
  void providerSlashModelAddressesOneProviderDirectly() {
    Selection s = router(pool("round_robin", THREE_KEYS)).decide(request("p/up-m", "hi"), null);

    assertEquals("p", s.decision().provider());
    assertEquals("up-m", s.upstreamModel());
  }

  @Test
  void singleEndpointSaysSo() {
    Selection s = router(pool("session_affinity", "      - { name: a, api_key: ka, endpoints: [ { id: only } ] }\n")).decide(request("m", "hi"), null);

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

    Selection known = router.decide(request("p/up-m", "hi"), null);
    Selection unknown = router.decide(request("p/other", "hi"), null);

    assertEquals(0, new java.math.BigDecimal("0.5").compareTo(known.pricing().cacheRead()));
    assertEquals(new ModelConfig.CacheSettings(CacheMode.AUTOMATIC, 4096, 86_400), known.cache());
    assertEquals(ModelConfig.Pricing.FREE, unknown.pricing());
    assertEquals(new ModelConfig.CacheSettings(CacheMode.AUTOMATIC, 1024, 86_400), unknown.cache());
    assertEquals("other", unknown.upstreamModel());
  }
}
