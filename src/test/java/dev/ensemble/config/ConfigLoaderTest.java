package dev.ensemble.config;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

  private static final String MOCK = """
      providers:
        mock:
          type: mock
          keys:
            - name: local
              endpoints: [{ id: mock-1 }]
      """;

  private static EnsembleConfig parse(String yaml) {
    return parse(yaml, Map.of());
  }

  private static EnsembleConfig parse(String yaml, Map<String, String> env) {
    return new ConfigLoader(env).parse(yaml);
  }

  private static String hostWith(String value, Map<String, String> env) {
    return parse("server:\n  host: \"" + value + "\"\n  allow_anonymous: true\n", env).server().host();
  }

  // --- environment expansion

  @Test
  void expandsVariablesFromTheGivenEnvironment() {
    assertEquals("10.1.2.3", hostWith("${HOST}", Map.of("HOST", "10.1.2.3")));
  }

  @Test
  void usesTheDefaultWhenTheVariableIsUnset() {
    assertEquals("127.0.0.9", hostWith("${HOST:-127.0.0.9}", Map.of()));
  }

  @Test
  void usesTheDefaultWhenTheVariableIsSetButEmpty() {
    assertEquals("127.0.0.9", hostWith("${HOST:-127.0.0.9}", Map.of("HOST", "")));
  }

  @Test
  void prefersTheVariableOverItsDefault() {
    assertEquals("10.1.2.3", hostWith("${HOST:-127.0.0.9}", Map.of("HOST", "10.1.2.3")));
  }

  @Test
  void anEmptyDefaultGivesAnEmptyValue() {
    assertTrue(parse("server:\n  admin_key: ${ADMIN:-}\n").server().adminKey().isEmpty());
  }

  @Test
  void anEmptyVariableWithoutDefaultIsKeptEmpty() {
    assertEquals("", parse("server:\n  admin_key: ${ADMIN}\n", Map.of("ADMIN", "")).server().adminKey().value());
  }

  @Test
  void expandsSeveralVariablesInOneValue() {
    EnsembleConfig c = parse("redis:\n  address: redis://${RH:-localhost}:${RP}/0\n", Map.of("RP", "6380"));
    assertEquals("redis://localhost:6380/0", c.redis().address());
  }

  @Test
  void doubleDollarIsALiteralDollar() {
    EnsembleConfig c = parse("redis:\n  password: pa$$word\n  username: \"$${NOT_EXPANDED}\"\n");
    assertEquals("pa$word", c.redis().password().value());
    assertEquals("${NOT_EXPANDED}", c.redis().username());
  }

  @Test
  void aLoneDollarOrDollarWithoutBracesIsLeftAlone() {
    EnsembleConfig c = parse("redis:\n  password: $HOME-cost$\n");
    assertEquals("$HOME-cost$", c.redis().password().value());
  }

  @Test
  void expandsNumbersBooleansAndListItems() {
    EnsembleConfig c = parse(MOCK + """
        server:
          port: ${PORT}
          require_client_keys: ${RCK:-false}
        routes:
          r:
            model: ${PRIMARY:-mock/a}
            fallback: ["${SECOND}"]
        """, Map.of("PORT", "9191", "SECOND", "mock/b"));
    assertEquals(9191, c.server().port());
    assertFalse(c.server().requireClientKeys());
    assertEquals("mock/a", c.routes().get("r").model());
    assertEquals(List.of("mock/b"), c.routes().get("r").fallback());
  }

  @Test
  void anUnsetVariableWithoutDefaultFailsWithItsPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("storage:\n  encryption_key: ${ENC_KEY}\n"));
    assertEquals("storage.encryption_key", e.path());
    assertEquals("storage.encryption_key: environment variable ENC_KEY is not set (use ${ENC_KEY:-default} for a default)", e.getMessage());
  }

  @Test
  void expansionIsNotRecursive() {
    assertEquals("${B}", hostWith("${A}", Map.of("A", "${B}", "B", "x")));
  }

  // --- defaults

  @Test
  void fillsServerDefaults() {
    ServerConfig s = parse("").server();
    assertEquals("127.0.0.1", s.host());
    assertEquals(8080, s.port());
    assertEquals(10L * 1024 * 1024, s.maxBodyBytes());
    assertFalse(s.requireClientKeys());
    assertFalse(s.allowAnonymous());
    assertTrue(s.adminKey().isEmpty());
    assertTrue(s.metricsKey().isEmpty());
    assertEquals(300_000L, s.drainTimeoutMs());
    assertEquals(5_000L, s.drainGraceMs());
  }

  @Test
  void readsDrainAndJournalSettings() {
    EnsembleConfig c = parse("""
        server: { drain_timeout_ms: 60000, drain_grace_ms: 0 }
        responses: { journal: { dir: /tmp/j, fsync_interval_ms: 250, max_bytes: 2097152 } }
        """);
    assertEquals(60_000L, c.server().drainTimeoutMs());
    assertEquals(0L, c.server().drainGraceMs());
    assertEquals(new ResponsesConfig.Journal("/tmp/j", 250, 2_097_152), c.responses().journal());
  }

  @Test
  void fillsStorageResponsesRedisAndClusterDefaults() {
    EnsembleConfig c = parse("");
    assertEquals("data/ensemble.db", c.storage().sqlitePath());
    assertEquals(ResponsesConfig.Store.LOCAL, c.responses().store());
    assertEquals("data/responses", c.responses().localDir());
    assertEquals(new ResponsesConfig.S3("ensemble-responses", "us-east-1", "", "responses/", false), c.responses().s3());
    assertEquals(new ResponsesConfig.Journal("", 1_000, 64L * 1024 * 1024), c.responses().journal());
    assertFalse(c.redis().enabled());
    assertEquals(20, c.redis().poolSize());
    assertEquals(new ClusterConfig(false, "cluster/cluster.xml"), c.cluster());
    assertTrue(c.providers().isEmpty());
  }

  @Test
  void fillsProviderDefaults() {
    ProviderConfig p = parse(MOCK).providers().get("mock");
    assertEquals(Strategy.SESSION_AFFINITY, p.strategy());
    assertEquals(600_000, p.timeoutMs());
    assertEquals(120_000, p.firstByteTimeoutMs());
    assertEquals(120_000, p.idleTimeoutMs());
    ProviderConfig.KeyConfig key = p.keys().get(0);
    assertEquals(1.0, key.weight());
    assertTrue(key.apiKey().isEmpty());
    assertEquals(new ProviderConfig.EndpointConfig("mock-1", null, null, "", ""), key.endpoints().get(0));
  }

  @Test
  void streamTimeoutsNeverExceedTheWholeCallTimeout() {
    ProviderConfig p = parse("providers:\n  o: { type: openai, timeout_ms: 30000 }\n").providers().get("o");
    assertEquals(30_000, p.firstByteTimeoutMs());
    assertEquals(30_000, p.idleTimeoutMs());
  }

  @Test
  void explicitStreamTimeoutsWin() {
    ProviderConfig p = parse("providers:\n  o: { type: openai, first_byte_timeout_ms: 5000, idle_timeout_ms: 7000 }\n").providers().get("o");
    assertEquals(5_000, p.firstByteTimeoutMs());
    assertEquals(7_000, p.idleTimeoutMs());
  }

  @Test
  void baseUrlsDefaultToTheOfficialSdksAndLoseTheirTrailingSlash() {
    EnsembleConfig c = parse("""
        providers:
          o: { type: openai }
          a: { type: anthropic }
          g: { type: gemini }
          proxy:
            type: openai
            base_url: https://proxy.example.com/v1/
            keys: [{ name: k, endpoints: [{ id: e1, base_url: "https://eu.example.com/v1/" }] }]
        """);
    assertEquals("https://api.openai.com/v1", c.providers().get("o").baseUrl());
    assertEquals("https://api.anthropic.com", c.providers().get("a").baseUrl());
    assertEquals("https://generativelanguage.googleapis.com", c.providers().get("g").baseUrl());
    assertEquals("https://proxy.example.com/v1", c.providers().get("proxy").baseUrl());
    assertEquals("https://eu.example.com/v1", c.providers().get("proxy").keys().get(0).endpoints().get(0).baseUrl());
  }

  @Test
  void providerTypeAndStrategyAreCaseInsensitive() {
    ProviderConfig p = parse("providers:\n  o: { type: OpenAI, strategy: Round_Robin }\n").providers().get("o");
    assertEquals(ProviderType.OPENAI, p.type());
    assertEquals(Strategy.ROUND_ROBIN, p.strategy());
  }

  @Test
  void aServedModelDefaultsToTheCatalogName() {
    ModelConfig m = parse(MOCK + "models:\n  mock-1:\n    providers: [{ provider: mock }]\n").models().get("mock-1");
    assertEquals(List.of(new ModelConfig.Served("mock", "mock-1", ModelConfig.Pricing.FREE, ModelConfig.CacheSettings.NONE,
        BuiltInKind.defaultModalities("mock", "mock-1"))), m.providers());
    assertEquals(ModelConfig.CacheOverride.UNSET, m.cache());
  }

  @Test
  void fillsRouteDefaults() {
    RouteConfig r = parse(MOCK + "routes:\n  r: { model: mock/x }\n").routes().get("r");
    assertEquals(List.of(), r.fallback());
    assertEquals(new RouteConfig.Retry(4, 100, true), r.retry());
    assertEquals(dev.ensemble.config.ResponseCacheConfig.NONE, r.cache());
    assertEquals(ServerConfig.DEFAULT_REQUEST_TIMEOUT_MS, r.timeoutMs());
  }

  @Test
  void aRouteWithoutATimeoutTakesTheServersRequestTimeoutAndOneWithItsOwnKeepsIt() {
    EnsembleConfig c = parse("server: { request_timeout_ms: 30000 }\n" + MOCK
        + "routes:\n  quick: { model: mock/x }\n  patient: { model: mock/x, timeout_ms: 90000 }\n");
    assertEquals(30_000, c.server().requestTimeoutMs());
    assertEquals(30_000, c.routes().get("quick").timeoutMs());
    assertEquals(90_000, c.routes().get("patient").timeoutMs());
  }

  @Test
  void keepsTheFileOrderOfProvidersModelsAndRoutes() {
    EnsembleConfig c = parse("""
        providers:
          zeta: { type: mock }
          alpha: { type: mock }
          mid: { type: mock }
        models:
          m2: { providers: [{ provider: zeta }] }
          m1: { providers: [{ provider: alpha }] }
        routes:
          second: { model: m2 }
          first: { model: m1 }
        """);
    assertEquals(List.of("zeta", "alpha", "mid"), List.copyOf(c.providers().keySet()));
    assertEquals(List.of("m2", "m1"), List.copyOf(c.models().keySet()));
    assertEquals(List.of("second", "first"), List.copyOf(c.routes().keySet()));
  }

  // --- pricing

  @Test
  void cachePricesDefaultToTheInputPrice() {
    ModelConfig.Pricing p = parse(MOCK + "models:\n  m:\n    pricing: { input: 2.5, output: 10 }\n    providers: [{ provider: mock }]\n")
        .models().get("m").pricing();
    assertEquals(0, new BigDecimal("2.5").compareTo(p.input()));
    assertEquals(0, new BigDecimal("10").compareTo(p.output()));
    assertEquals(0, new BigDecimal("2.5").compareTo(p.cacheRead()));
    assertEquals(0, new BigDecimal("2.5").compareTo(p.cacheWrite()));
  }

  @Test
  void explicitCachePricesAreKeptExactly() {
    ModelConfig.Pricing p = parse(MOCK + "models:\n  m:\n    pricing: { input: 0.15, output: 0.60, cache_read: 0.075, cache_write: 0.1875 }\n"
        + "    providers: [{ provider: mock }]\n").models().get("m").pricing();
    assertEquals(0, new BigDecimal("0.075").compareTo(p.cacheRead()));
    assertEquals(0, new BigDecimal("0.1875").compareTo(p.cacheWrite()));
  }

  @Test
  void aModelWithoutPricingIsFree() {
    ModelConfig.Pricing p = parse(MOCK + "models:\n  m: { providers: [{ provider: mock }] }\n").models().get("m").pricing();
    for (BigDecimal price : List.of(p.input(), p.output(), p.cacheRead(), p.cacheWrite())) {
      assertEquals(0, BigDecimal.ZERO.compareTo(price));
    }
  }

  @Test
  void aZeroPriceIsAllowed() {
    ModelConfig.Pricing p = parse(MOCK + "models:\n  m:\n    pricing: { input: 1, output: 0, cache_read: 0 }\n    providers: [{ provider: mock }]\n")
        .models().get("m").pricing();
    assertEquals(0, BigDecimal.ZERO.compareTo(p.cacheRead()));
    assertEquals(0, BigDecimal.ONE.compareTo(p.cacheWrite()));
  }

  // --- references and checks

  @Test
  void routesMayNameProviderSlashModel() {
    RouteConfig r = parse(MOCK + "routes:\n  r: { model: mock/any-upstream-id, fallback: [mock/a/b] }\n").routes().get("r");
    assertEquals("mock/any-upstream-id", r.model());
  }

  @Test
  void theSameEndpointIdTwiceInOneKeyIsRejected() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(
        "providers:\n  m:\n    type: mock\n    keys: [{ name: k, endpoints: [{ id: e }, { id: e }] }]\n"));
    assertEquals("providers.m.keys[0].endpoints[1].id", e.path());
  }

  @Test
  void loopbackHostsNeedNoClientKeys() {
    for (String host : List.of("127.0.0.1", "127.1.2.3", "localhost", "::1")) {
      assertEquals(host, parse("server:\n  host: \"" + host + "\"\n").server().host());
    }
  }

  @Test
  void aPublicHostWithClientKeysRequiredLoads() {
    assertTrue(parse("server:\n  host: 0.0.0.0\n  require_client_keys: true\n").server().requireClientKeys());
  }

  @Test
  void portZeroMeansAnyFreePort() {
    assertEquals(0, parse("server:\n  port: 0\n").server().port());
  }

  @Test
  void aMissingFileIsAConfigError() {
    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(Path.of("does/not/exist.yaml")));
    assertTrue(e.getMessage().startsWith("(root): cannot read does/not/exist.yaml"), e.getMessage());
  }

  // --- the shipped config

  @Test
  void shippedConfigLoadsWithAnEmptyEnvironment() {
    EnsembleConfig c = new ConfigLoader(Map.of()).load(Path.of("conf/ensemble.yaml"));
    assertEquals("127.0.0.1", c.server().host());
    assertEquals(8080, c.server().port());
    assertFalse(c.server().requireClientKeys());
    assertTrue(c.server().adminKey().isEmpty());
    assertFalse(c.redis().enabled());
    assertFalse(c.cluster().enabled());
    assertEquals(ResponsesConfig.Store.LOCAL, c.responses().store());
    ProviderConfig mock = c.providers().get("mock");
    assertEquals(ProviderType.MOCK, mock.type());
    assertFalse(mock.keys().isEmpty());
    assertEquals(List.of(new ModelConfig.Served("mock", "mock-1", ModelConfig.Pricing.FREE, ModelConfig.CacheSettings.NONE,
        BuiltInKind.defaultModalities("mock", "mock-1"))), c.models().get("mock-1").providers());
    assertEquals("mock-1", c.routes().get("hello").model());
  }

  @Test
  void shippedConfigTakesItsSecretsFromTheEnvironment() {
    EnsembleConfig c = new ConfigLoader(Map.of("ANTHROPIC_API_KEY", "sk-ant-from-env-0001", "ENSEMBLE_PORT", "9000"))
        .load(Path.of("conf/ensemble.yaml"));
    assertEquals(9000, c.server().port());
    assertEquals("sk-ant-from-env-0001", c.providers().get("anthropic").keys().get(0).apiKey().value());
    assertTrue(c.providers().get("openai").keys().get(0).apiKey().isEmpty());
  }

  @Test
  void shippedConfigRefusesAPublicHostWithoutClientKeys() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> new ConfigLoader(Map.of("ENSEMBLE_HOST", "0.0.0.0")).load(Path.of("conf/ensemble.yaml")));
    assertEquals("server.require_client_keys", e.path());
  }

  // --- printing

  @Test
  void printerMasksEverySecret() {
    EnsembleConfig c = parse("""
        server:
          admin_key: admin-key-value-AAAA-0001
          metrics_key: metrics-key-value-BBBB-0002
        storage:
          encryption_key: encryption-key-value-CCCC-0003
        redis:
          address: redis://ensemble:redis-url-password-DDDD@redis.internal:6379
          password: redis-password-value-EEEE-0004
        providers:
          anthropic:
            type: anthropic
            base_url: https://proxy-user:proxy-password-FFFF@proxy.example.com
            keys:
              - name: primary
                api_key: sk-ant-secret-value-1234
                endpoints: [{ id: anthropic-1 }]
        """);
    String yaml = ConfigPrinter.toYaml(c);
    for (String raw : List.of("admin-key-value-AAAA", "metrics-key-value-BBBB", "encryption-key-value-CCCC", "redis-url-password-DDDD",
        "redis-password-value-EEEE", "proxy-password-FFFF", "sk-ant-secret-value-1234", "secret-value")) {
      assertFalse(yaml.contains(raw), raw + " leaked into:\n" + yaml);
    }
    assertTrue(yaml.contains("api_key: sk-...1234"), yaml);
    assertTrue(yaml.contains("admin_key: '...0001'"), yaml);
    assertTrue(yaml.contains("redis://****@redis.internal:6379"), yaml);
    assertTrue(yaml.contains("https://****@proxy.example.com"), yaml);
  }

  @Test
  void printerShowsResolvedValuesAndDefaultsInTheFilesKeyNames() {
    String yaml = ConfigPrinter.toYaml(parse(MOCK + "models:\n  mock-1:\n    pricing: { input: 0.15 }\n    providers: [{ provider: mock }]\n"));
    assertTrue(yaml.contains("port: 8080"), yaml);
    assertTrue(yaml.contains("type: mock"), yaml);
    assertTrue(yaml.contains("strategy: session_affinity"), yaml);
    assertTrue(yaml.contains("first_byte_timeout_ms: 120000"), yaml);
    assertTrue(yaml.contains("cache_write: 0.15"), yaml);
    assertTrue(yaml.contains("store: local"), yaml);
  }

  @Test
  void printedConfigLoadsBackToTheSameConfig() throws Exception {
    EnsembleConfig original = new ConfigLoader(Map.of()).load(java.nio.file.Path.of("conf/ensemble.yaml"));

    EnsembleConfig reloaded = new ConfigLoader(Map.of()).parse(ConfigPrinter.toYaml(original));

    assertEquals(original, reloaded);
  }
}
