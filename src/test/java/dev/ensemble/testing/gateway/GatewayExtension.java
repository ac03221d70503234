package dev.ensemble.testing.gateway;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.metrics.InstrumentedVertx;
import dev.ensemble.node.Gateway;
import dev.ensemble.testing.fake.FakeUpstreamExtension;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Starts a real Ensemble node (all verticles, port 0 on 127.0.0.1) on its own Vert.x instance for a test
 * class, configured by a YAML text that may refer to the fake upstream's URLs; Vert.x reports its metrics to
 * the node's registry as in production, so {@code /metrics} is complete. Register it after the
 * {@link FakeUpstreamExtension} it points at:
 *
 * <pre>{@code
 * @RegisterExtension @Order(1) static FakeUpstreamExtension fake = new FakeUpstreamExtension();
 * @RegisterExtension @Order(2) static GatewayExtension gateway = GatewayExtension.against(fake);
 * }</pre>
 */
public final class GatewayExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

  /** Keys the fake upstream accepts; tests script it with {@code acceptKeys} where it matters. */
  public static final String OPENAI_KEY = "sk-test-openai-0001";
  public static final String ANTHROPIC_KEY = "sk-ant-test-0002";

  private final Supplier<EnsembleConfig> config;
  private Vertx vertx;
  private Gateway gateway;
  private List<String> providers = List.of();
  private String sqlitePath;
  private LongSupplier clock = System::currentTimeMillis;

  private GatewayExtension(Supplier<EnsembleConfig> config) {
    this.config = config;
  }

  private static GatewayExtension ofYaml(Supplier<String> yaml) {
    return new GatewayExtension(() -> new ConfigLoader(Map.of()).parse(yaml.get()));
  }

  /**
   * A node configured by a config file as {@code ensemble serve --config <file>} reads it, with {@code env} as
   * its environment (for the {@code ${VAR}} the file expands, e.g. {@code ENSEMBLE_PORT=0}). The file's local state ({@code storage.sqlite_path}, {@code responses.local_dir} when they are the
   * shipped {@code data/...} defaults) moves to scratch directories, never under the working tree.
   */
  public static GatewayExtension fromFile(java.nio.file.Path file, Map<String, String> env) {
    return new GatewayExtension(() -> new ConfigLoader(env).load(file));
  }

  /** The node's routing and pools read the time from {@code clock} (set before the node starts). */
  public GatewayExtension withClock(LongSupplier clock) {
    this.clock = clock;
    return this;
  }

  /** A node with the standard test config: {@link #standardConfig}. */
  public static GatewayExtension against(FakeUpstreamExtension fake) {
    return withConfig(fake, GatewayExtension::standardConfig);
  }

  public static GatewayExtension withConfig(FakeUpstreamExtension fake, Function<FakeUpstreamExtension, String> yaml) {
    return ofYaml(() -> yaml.apply(fake));
  }

  /**
   * A node configured by {@code yaml}, read when it starts; for tests that drive the lifecycle themselves with
   * {@link #start}, {@link #resetPools} and {@link #stop} rather than registering the extension.
   */
  public static GatewayExtension withConfig(Supplier<String> yaml) {
    return ofYaml(yaml);
  }

  /**
   * Providers {@code oai} (OpenAI format) and {@code ant} (Anthropic format), both on the fake, and models
   * {@code gpt-test} (served by oai as gpt-4o-mini), {@code claude-test} (by ant as claude-sonnet-4-5-20250929)
   * and {@code mock-1} (the built-in mock).
   */
  public static String standardConfig(FakeUpstreamExtension fake) {
    return """
        server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }
        responses: { store: local, local_dir: %s }
        providers:
          oai:
            type: openai
            base_url: %s
            timeout_ms: 4000
            first_byte_timeout_ms: 1500
            idle_timeout_ms: 1000
            keys:
              - { name: primary, api_key: %s, endpoints: [ { id: oai-1 } ] }
          ant:
            type: anthropic
            base_url: %s
            timeout_ms: 4000
            first_byte_timeout_ms: 1500
            idle_timeout_ms: 1000
            keys:
              - { name: primary, api_key: %s, endpoints: [ { id: ant-1 } ] }
          mock:
            type: mock
            keys: [ { name: local, endpoints: [ { id: mock-1 } ] } ]
        models:
          gpt-test:
            pricing: { input: 0.15, output: 0.60, cache_read: 0.075 }
            providers: [ { provider: oai, model: gpt-4o-mini } ]
          claude-test:
            pricing: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
            providers: [ { provider: ant, model: claude-sonnet-4-5-20250929 } ]
          mock-1:
            providers: [ { provider: mock } ]
        routes:
          summarize: { model: claude-test }
        """.formatted(scratchDir("responses"), fake.openAiBaseUrl(), OPENAI_KEY, fake.baseUrl(), ANTHROPIC_KEY);
  }

  /** The standard config with {@code server.admin_key} set (and, if given, more {@code server:} settings such as {@code require_client_keys: true}). */
  public static String standardConfigWithAdminKey(FakeUpstreamExtension fake, String adminKey, String moreServerSettings) {
    return standardConfig(fake).replace("server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536 }",
        "server: { host: 127.0.0.1, port: 0, max_body_bytes: 65536, admin_key: " + adminKey
            + (moreServerSettings.isEmpty() ? "" : ", " + moreServerSettings) + " }");
  }

  /**
   * Creates a gateway client with {@code POST /admin/clients} and returns the answer ({@code id}, {@code name},
   * {@code key}, ...); fails the test on any other status than 201.
   */
  public io.vertx.core.json.JsonObject createClient(String adminKey, io.vertx.core.json.JsonObject body) {
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + "/admin/clients"))
              .header("Authorization", "Bearer " + adminKey).header("content-type", "application/json")
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.encode())).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 201) {
        throw new AssertionError("POST /admin/clients answered " + r.statusCode() + ": " + r.body());
      }
      return new io.vertx.core.json.JsonObject(r.body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A fresh directory under the build's temp dir (surefire sets {@code java.io.tmpdir} to {@code target/}). */
  public static String scratchDir(String prefix) {
    try {
      return java.nio.file.Files.createTempDirectory("ensemble-" + prefix + "-").toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  /** Starts the node. */
  public void start() throws Exception {
    EnsembleConfig config = withScratchData(this.config.get());
    sqlitePath = config.storage().sqlitePath();
    providers = List.copyOf(config.providers().keySet());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = InstrumentedVertx.builder(registry).build();
    gateway = Gateway.start(vertx, config, registry, clock).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Every test starts with healthy endpoints: what one test's failures taught the pools is forgotten. */
  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    resetPools();
  }

  /** Forgets what failures taught the pools: cooldowns, disabled keys, open circuits. */
  public void resetPools() throws Exception {
    List<Future<Object>> resets = new ArrayList<>();
    for (String provider : providers) {
      resets.add(vertx.eventBus().request(Addresses.poolReset(provider), null).map(m -> null));
    }
    Future.all(resets).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stop();
  }

  /** Stops the node and its Vert.x instance. */
  public void stop() throws Exception {
    if (vertx != null) {
      gateway.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** The port the node listens on. */
  public int port() {
    return gateway.port();
  }

  /** {@code http://127.0.0.1:<port>}: the base URL for Anthropic SDKs and raw calls. */
  public String baseUrl() {
    return "http://127.0.0.1:" + gateway.port();
  }

  /** {@code http://127.0.0.1:<port>/v1}: the base URL for OpenAI SDKs. */
  public String openAiBaseUrl() {
    return baseUrl() + "/v1";
  }

  /** The node's SQLite file. */
  public String sqlitePath() {
    return sqlitePath;
  }

  /**
   * A config that keeps the default {@code storage.sqlite_path} gets a fresh file instead, and one that keeps the
   * default {@code responses.local_dir} a fresh directory: never state under the working tree.
   */
  private static EnsembleConfig withScratchData(EnsembleConfig c) {
    dev.ensemble.config.StorageConfig storage = c.storage();
    if ("data/ensemble.db".equals(storage.sqlitePath())) {
      storage = new dev.ensemble.config.StorageConfig(java.nio.file.Path.of(scratchDir("sqlite"), "ensemble.db").toString(), storage.encryptionKey());
    }
    dev.ensemble.config.ResponsesConfig responses = c.responses();
    if ("data/responses".equals(responses.localDir())) {
      responses = new dev.ensemble.config.ResponsesConfig(responses.store(), scratchDir("responses"), responses.s3(), responses.maxPending());
    }
    return new EnsembleConfig(c.server(), storage, responses, c.redis(), c.cluster(), c.providers(), c.models(), c.routes(), c.cache());
  }

  /** The node's Vert.x instance, e.g. to watch its event bus. */
  public Vertx vertx() {
    return vertx;
  }
}
