package dev.ensemble.node;

import dev.ensemble.bus.Addresses;
import dev.ensemble.bus.LocalCodec;
import dev.ensemble.cache.AuditLog;
import dev.ensemble.cache.CacheMeters;
import dev.ensemble.cache.CachePolicies;
import dev.ensemble.cache.CacheStore;
import dev.ensemble.cache.Embedder;
import dev.ensemble.cache.EmbeddingModule;
import dev.ensemble.cache.EmbeddingModules;
import dev.ensemble.cache.FleetCacheStats;
import dev.ensemble.cache.HazelcastCacheStore;
import dev.ensemble.cache.LocalCacheStore;
import dev.ensemble.cache.LocalEmbedder;
import dev.ensemble.cache.ResponseCache;
import dev.ensemble.config.ResponseCacheConfig;
import dev.ensemble.ingress.PoolEmbedder;
import dev.ensemble.ingress.ResponseCaching;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.cluster.ClusterBridge;
import dev.ensemble.cluster.ClusterMembership;
import dev.ensemble.config.ConfigException;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.fleet.FleetStateVerticle;
import dev.ensemble.fleet.HazelcastReplica;
import dev.ensemble.fleet.SoloReplica;
import dev.ensemble.fleet.SpendBoard;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.ingress.IngressVerticle;
import dev.ensemble.ingress.LiveResponses;
import dev.ensemble.ingress.NodeLifecycle;
import dev.ensemble.ingress.NodeServices;
import dev.ensemble.ingress.PeerResponses;
import dev.ensemble.keys.KeyVault;
import dev.ensemble.keys.KeysVerticle;
import dev.ensemble.logging.LogBuffers;
import dev.ensemble.metrics.GatewayMetrics;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.PersistenceInbox;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.persistence.PersistenceVerticle;
import dev.ensemble.persistence.ResponseRecord;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.pools.KeySet;
import dev.ensemble.pools.PoolVerticle;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ProviderKind;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.ratelimit.EndpointLimiter;
import dev.ensemble.ratelimit.EndpointLimits;
import dev.ensemble.ratelimit.LocalRateLimiter;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.ratelimit.RedisRateLimiter;
import dev.ensemble.routing.CachePredictions;
import dev.ensemble.routing.EndpointLoad;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RouterVerticle;
import dev.ensemble.routing.UsageReport;
import dev.ensemble.routing.affinity.AffinityTable;
import dev.ensemble.wire.ClientDialects;
import dev.ensemble.wire.anthropic.AnthropicClientDialect;
import dev.ensemble.wire.gemini.GeminiClientDialect;
import dev.ensemble.wire.responses.ResponsesClientDialect;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A running Ensemble node on a Vert.x instance: builds the provider pools and the router from the config and
 * deploys the verticles in dependency order — persistence, router, metrics, one pool per provider, the
 * keys verticle (which hands the stored admin keys to their pools), then ingress on every event loop. {@link #stop()} undeploys them in reverse.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  /** Slots of the cache-affinity table: 2^21 x 16 bytes = 32 MiB, about a million live prompt prefixes. */
  private static final int AFFINITY_SLOTS = 1 << 21;
  /**
   * Nodes assumed to share the Redis-counted limits at start; while Redis is unreachable each node admits this
   * fraction of every limit. On a clustered node the {@link ClusterBridge} then feeds the live member count.
   */
  private static final int EXPECTED_NODES = 1;

  private final Vertx vertx;
  private final List<Deployed> deployments = new java.util.concurrent.CopyOnWriteArrayList<>();
  private int port;
  private EnsembleConfig config;
  private LiveResponses live;
  private RateLimiter rateLimiter;
  private GatewayMetrics metrics;
  private MessageConsumer<?> clientDirectory;
  private ResponseCache responseCache;
  private FleetCacheStats cacheStats;
  private MessageConsumer<?> peerResponses;
  private MessageConsumer<?> health;
  private final NodeLifecycle lifecycle = new NodeLifecycle(() -> drain("admin request"));
  private final Promise<Void> terminated = Promise.promise();
  private final AtomicReference<NodeDrain> drain = new AtomicReference<>();

  private Gateway(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Starts a node with a registry of its own: {@code /metrics} then has Ensemble's and the JVM's meters but
   * none of Vert.x's, which exist only on a Vert.x built by {@link dev.ensemble.metrics.InstrumentedVertx}
   * with the registry passed to {@link #start(Vertx, EnsembleConfig, PrometheusMeterRegistry)}.
   */
  public static Future<Gateway> start(Vertx vertx, EnsembleConfig config) {
    return start(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** Starts a node whose metrics go to {@code registry}; the future completes once it listens. */
  public static Future<Gateway> start(Vertx vertx, EnsembleConfig config, PrometheusMeterRegistry registry) {
    return start(vertx, config, registry, System::currentTimeMillis);
  }

  /**
   * Starts a node whose routing and provider pools read the time (epoch millis) from {@code clock}: cooldowns, open
   * circuits and cache affinity are measured in it. Tests pass a clock they move; production uses the system's.
   */
  public static Future<Gateway> start(Vertx vertx, EnsembleConfig config, PrometheusMeterRegistry registry, LongSupplier clock) {
    Gateway gateway = new Gateway(vertx);
    return gateway.deploy(config, registry, clock).map(gateway);
  }

  /** The port the node listens on (the configured one, or the one chosen for port 0). */
  public int port() {
    return port;
  }

  /** Ready, draining or refusing: what {@code /api/v1/ready} answers from. */
  public NodeLifecycle lifecycle() {
    return lifecycle;
  }

  /**
   * Drains the node ({@link NodeDrain}) and then stops it: the ledger and the response store are flushed and every
   * verticle undeployed. Once only; {@link #terminated()} completes when it is done. The Vert.x instance (and with
   * it the cluster membership) is the caller's to close.
   */
  public Future<Void> drain(String cause) {
    NodeDrain running = new NodeDrain(vertx, lifecycle, live, config.server().drainGraceMs(), config.server().drainTimeoutMs());
    if (drain.compareAndSet(null, running)) {
      running.start(cause).onComplete(ar -> {
        NodeDrain.DrainReport report = ar.result();
        LOG.info("drained in {} ms ({} requests in flight at the start, {} ended at the deadline); stopping",
            report.tookMs(), report.inFlightAtStart(), report.endedAtDeadline());
        stop().onComplete(terminated::handle);
      });
    }
    return terminated.future();
  }

  /** Completes once a drain has stopped the node. */
  public Future<Void> terminated() {
    return terminated.future();
  }

  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (MessageConsumer<?> inbox : new MessageConsumer<?>[] {peerResponses, health}) {
      if (inbox != null) {
        chain = chain.compose(v -> inbox.unregister());
      }
    }
    peerResponses = null;
    health = null;
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.remove(i).id();
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    if (rateLimiter != null) {
      RateLimiter limiter = rateLimiter;
      chain = chain.compose(v -> limiter.close());
    }
    if (clientDirectory != null) {
      MessageConsumer<?> directory = clientDirectory;
      clientDirectory = null;
      chain = chain.compose(v -> directory.unregister());
    }
    return chain.onComplete(ar -> {
      if (cacheStats != null) {
        cacheStats.close();
        cacheStats = null;
      }
      if (responseCache != null) {
        responseCache.close();
        responseCache = null;
      }
      if (metrics != null) {
        metrics.close();
      }
      vertx.eventBus().unregisterDefaultCodec(UsageReport.class);
      vertx.eventBus().unregisterDefaultCodec(AttemptOutcome.class);
      vertx.eventBus().unregisterDefaultCodec(ResponseRecord.class);
      vertx.eventBus().unregisterDefaultCodec(LedgerEntry.class);
      vertx.eventBus().unregisterDefaultCodec(KeySet.class);
    });
  }

  private Future<Void> deploy(EnsembleConfig config, PrometheusMeterRegistry registry, LongSupplier clock) {
    Map<String, ProviderPool> pools = new LinkedHashMap<>();
    Map<String, ProviderKind> kinds = new LinkedHashMap<>();
    KeyVault vault;
    LocalEmbedder localEmbedder;
    try {
      vault = vault(config);
      localEmbedder = localEmbedder(config);
      config.providers().forEach((name, provider) -> {
        ProviderKind kind = ProviderKinds.of(provider);
        kinds.put(name, kind);
        pools.put(name, new ProviderPool(provider, kind.adapter(), kind.capabilities(), kind.auth(), endpoints(provider)));
      });
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    if (config.cluster().enabled() != vertx.isClustered()) {
      return Future.failedFuture(new ConfigException("cluster.enabled", config.cluster().enabled()
          ? "true, but this Vert.x instance is not clustered" : "false, but this Vert.x instance is clustered"));
    }
    ClusterMembership membership = vertx.isClustered() ? ClusterMembership.of(vertx) : null;
    vertx.eventBus().registerDefaultCodec(UsageReport.class, new LocalCodec<>(UsageReport.class));
    vertx.eventBus().registerDefaultCodec(AttemptOutcome.class, new LocalCodec<>(AttemptOutcome.class));
    vertx.eventBus().registerDefaultCodec(ResponseRecord.class, new LocalCodec<>(ResponseRecord.class));
    vertx.eventBus().registerDefaultCodec(LedgerEntry.class, new LocalCodec<>(LedgerEntry.class));
    vertx.eventBus().registerDefaultCodec(KeySet.class, new LocalCodec<>(KeySet.class));
    EndpointLoad load = new EndpointLoad();
    // Without Redis the router admits against lock-free local limits; with Redis the exact cluster-wide
    // limiter admits each attempt and the local ones stay out of the way (they would count this node only).
    Map<String, EndpointLimiter> limiters = new ConcurrentHashMap<>();
    RateLimiter exact;
    if (config.redis().enabled()) {
      exact = new RedisRateLimiter(vertx, config.redis(), EndpointLimits.of(config.providers().values()), EXPECTED_NODES);
    } else {
      exact = new LocalRateLimiter(Map.of());
      pools.values().forEach(pool -> pool.endpoints().forEach(e -> {
        if (e.rpmLimit() != null || e.tpmLimit() != null) {
          limiters.put(e.id(), new EndpointLimiter(e.rpmLimit(), e.tpmLimit()));
        }
      }));
    }
    this.rateLimiter = exact;
    AffinityTable affinity = new AffinityTable(AFFINITY_SLOTS);
    CachePredictions predictions = new CachePredictions();
    ModelRouter router = new ModelRouter(config, pools, limiters, load, affinity, clock);
    GatewayMetrics metrics = new GatewayMetrics(registry, config, pools.values(), router, predictions, exact);
    this.metrics = metrics;
    LogBuffers logs = LogBuffers.of(LoggerFactory.getILoggerFactory());
    metrics.bindLogs(logs);
    EndpointRegistrar registrar = new EndpointRegistrar(limiters, exact, config.redis().enabled(), metrics);
    long startedAt = System.currentTimeMillis() / 1000;
    // Every client format the node serves; the first is the default. A new format is one line here.
    ClientDialects dialects = new ClientDialects(List.of(new OpenAiClientDialect(), new AnthropicClientDialect(),
        new ResponsesClientDialect(), new GeminiClientDialect()));

    String journalDir = config.responses().journal().dir();
    InflightJournal crashJournal = new InflightJournal(journalDir.isEmpty()
        ? Path.of(config.storage().sqlitePath()).toAbsolutePath().resolveSibling("journal") : Path.of(journalDir),
        config.responses().journal().fsyncIntervalMs(), config.responses().journal().maxBytes());
    // Ledger rows and finished responses go from the event loops straight to the persistence verticle's queues.
    PersistenceInbox persistence = new PersistenceInbox();
    // The client registry listens before the persistence verticle starts: that sends it the first directory.
    ClientRegistry clients = new ClientRegistry(Clock.systemUTC());
    if (config.redis().enabled()) {
      clients.shareLimitsThrough(exact);
    }
    Future<Void> chain = exact.start().compose(v -> clients.listen(vertx.eventBus()))
        .compose(consumer -> {
          clientDirectory = consumer;
          return record("persistence", 1, vertx.deployVerticle(new PersistenceVerticle(config.responses(), Path.of(config.storage().sqlitePath()),
              crashJournal, persistence),
              new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
        })
        .compose(v -> record("fleet-state", 1, vertx.deployVerticle(new FleetStateVerticle(
            membership == null ? new SoloReplica() : new HazelcastReplica(vertx, membership),
            membership == null ? null : membership.nodeId(), System::currentTimeMillis))))
        .compose(v -> record("router", 1, vertx.deployVerticle(new RouterVerticle(router, load, limiters, exact, affinity, predictions, clock))))
        .compose(v -> record("metrics", 1, vertx.deployVerticle(metrics.verticle())));
    for (ProviderPool pool : pools.values()) {
      chain = chain.compose(v -> record("pool:" + pool.name(), 1, vertx.deployVerticle(new PoolVerticle(pool, kinds.get(pool.name()).transport(), registrar, clock))));
    }
    if (membership != null) {
      // Without Redis a client's rpm_limit is split over the live nodes; with it the endpoints' fallback share follows them.
      IntConsumer onMembers = exact instanceof RedisRateLimiter redis ? n -> {
        redis.updateNodes(n);
        clients.nodes(n);
      } : clients::nodes;
      chain = chain.compose(v -> record("spend-board", 1, vertx.deployVerticle(new SpendBoard(HazelcastReplica.hazelcastOf(vertx), clients,
          ledgerId(config)))));
      chain = chain.compose(v -> record("cluster", 1, vertx.deployVerticle(new ClusterBridge(membership, pools.keySet(), onMembers))));
    }
    Supplier<JsonObject> cluster = membership == null ? () -> new JsonObject().put("enabled", false) : membership::toJson;
    // Admin-added keys are loaded (and handed to their pools) before ingress takes its first request.
    chain = chain.compose(v -> record("keys", 1, vertx.deployVerticle(new KeysVerticle(config, vault, System::currentTimeMillis))));
    int instances = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    // Port 0 asks for a random port; Vert.x shares one random port across instances when it is negative.
    EnsembleConfig shared = config.server().port() == 0 ? withPort(config, -1) : config;
    List<IngressVerticle> ingress = new java.util.concurrent.CopyOnWriteArrayList<>();
    LiveResponses live = new LiveResponses(config.responses().maxPending(), crashJournal, persistence);
    this.live = live;
    this.config = config;
    metrics.bindResponseStoreQueue(live::awaitingStore, live::unstored);
    ResponseCaching caching = responseCaching(config, localEmbedder, router, exact, registry);
    if (caching.cache() != null) {
      responseCache = caching.cache();
      cacheStats = caching.fleet();
      chain = chain.compose(v -> caching.cache().start()).compose(v -> caching.fleet().start());
    }
    return chain
        .compose(v -> record("ingress", instances, vertx.deployVerticle(() -> {
          NodeServices services = new NodeServices(shared, router, exact, dialects, startedAt, this::verticles,
              metrics, clients, live, logs, cluster, lifecycle, caching);
          IngressVerticle verticle = new IngressVerticle(shared.server(), dialects, own -> HttpRoutes.build(own, services));
          ingress.add(verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(instances))))
        .compose(v -> {
          port = ingress.get(0).actualPort();
          if (membership == null) {
            return Future.<Void>succeededFuture();
          }
          MessageConsumer<?> inbox = PeerResponses.serve(vertx, membership.nodeId(), live);
          peerResponses = inbox;
          MessageConsumer<?> healthInbox = vertx.eventBus().consumer(Addresses.fleetHealth(membership.nodeId()),
              msg -> msg.reply(health(membership.nodeId(), config.server().host() + ":" + port, pools.values(), exact, startedAt)));
          health = healthInbox;
          return inbox.completion().compose(x -> healthInbox.completion());
        })
        .onSuccess(v -> lifecycle.ready())
        .onSuccess(v -> LOG.info("Ensemble listening on http://{}:{} ({} providers, {} models, {} ingress instances)",
            config.server().host(), port, pools.size(), config.models().size(), instances))
        .recover(err -> stop().transform(v -> Future.failedFuture(err)));
  }

  /**
   * The built-in embedder when some cache policy embeds with it, else null: its module ({@link EmbeddingModules}) from
   * the class path or {@code response_cache.local_embedder_jar} (default: next to ensemble.jar), its natives under
   * {@code response_cache.native_dir} (default {@code natives/} next to the SQLite file).
   *
   * @throws ConfigException naming the policy's YAML path and the fix when the module is not installed
   */
  private LocalEmbedder localEmbedder(EnsembleConfig config) {
    String path = new CachePolicies(config).pathUsing(ResponseCacheConfig.LOCAL_EMBEDDER);
    if (path == null) {
      return null;
    }
    Path jar = EmbeddingModules.jar(config.cache().localEmbedderJar());
    EmbeddingModule module = EmbeddingModules.find(ResponseCacheConfig.LOCAL_EMBEDDER, Gateway.class.getClassLoader(), jar)
        .orElseThrow(() -> new ConfigException(path, EmbeddingModules.missing(ResponseCacheConfig.LOCAL_EMBEDDER, jar)
            + ", or set response_cache.local_embedder_jar to where it is, or name an embedding model of the catalog"));
    Path dataDir = Path.of(config.storage().sqlitePath()).toAbsolutePath().getParent();
    Path nativeDir = config.cache().nativeDir().isEmpty() ? dataDir.resolve("natives") : Path.of(config.cache().nativeDir());
    return new LocalEmbedder(vertx, module, nativeDir);
  }

  /**
   * The response cache when some route or model has a policy: entries in a Hazelcast map on a clustered node (each
   * node indexing them), in process otherwise; the built-in embedder ({@code local}, null when no policy uses it),
   * catalog embedding models through the pools; the audit log next to the SQLite file.
   */
  private ResponseCaching responseCaching(EnsembleConfig config, LocalEmbedder local, ModelRouter router, RateLimiter limiter,
      PrometheusMeterRegistry registry) {
    CachePolicies policies = new CachePolicies(config);
    if (!policies.any()) {
      return ResponseCaching.NONE;
    }
    Path dataDir = Path.of(config.storage().sqlitePath()).toAbsolutePath().getParent();
    Map<String, Embedder> embedders = new ConcurrentHashMap<>();
    Function<String, Embedder> byName = name -> local != null && ResponseCacheConfig.LOCAL_EMBEDDER.equals(name) ? local
        : embedders.computeIfAbsent(name, m -> new PoolEmbedder(vertx, m, router, limiter, config.server().requestTimeoutMs()));
    CacheStore store = vertx.isClustered() ? new HazelcastCacheStore(vertx, hazelcast()) : new LocalCacheStore();
    ResponseCache cache = new ResponseCache(vertx, policies, store, byName, new CacheMeters(registry), System::currentTimeMillis);
    AuditLog audits = new AuditLog(dataDir, config.cache().auditLogMaxBytes(), config.cache().auditLogFiles());
    FleetCacheStats fleet = new FleetCacheStats(vertx, vertx.isClustered() ? hazelcast() : null, ledgerId(config), cache, audits);
    return new ResponseCaching(cache, audits, fleet, byName);
  }

  private com.hazelcast.core.HazelcastInstance hazelcast() {
    if (((io.vertx.core.internal.VertxInternal) vertx).clusterManager() instanceof io.vertx.spi.cluster.hazelcast.HazelcastClusterManager hz) {
      return hz.getHazelcastInstance();
    }
    throw new ConfigException("cluster.enabled", "the response cache shares entries over Hazelcast, but the cluster manager is not Hazelcast's");
  }

  /** The vault for admin-added provider keys, or null when {@code storage.encryption_key} is not set. */
  private static KeyVault vault(EnsembleConfig config) {
    if (config.storage().encryptionKey().isEmpty()) {
      return null;
    }
    try {
      return KeyVault.of(config.storage().encryptionKey());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("storage.encryption_key", e.getMessage());
    }
  }

  /**
   * The id of this node's ledger in the fleet's spend board: the host and the absolute SQLite path, hashed, so a
   * restarted node keeps the id its figures are published under.
   */
  private static String ledgerId(EnsembleConfig config) {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    String where = host + ":" + Path.of(config.storage().sqlitePath()).toAbsolutePath().normalize();
    return dev.ensemble.clients.ClientKeys.hash(where).substring(0, 16);
  }

  /** This node's health in brief, for the other members' {@code /admin/status}: read from local snapshots only. */
  private static JsonObject health(String nodeId, String listen, java.util.Collection<ProviderPool> pools, RateLimiter limiter,
      long startedAt) {
    int disabled = 0;
    for (ProviderPool pool : pools) {
      disabled += (int) pool.health().values().stream().filter(h -> h.keyDisabled()).count();
    }
    JsonObject limits = limiter.status().toJson();
    boolean degraded = disabled > 0 || "degraded".equals(limits.getString("mode"));
    return new JsonObject().put("node_id", nodeId).put("status", degraded ? "degraded" : "ok")
        .put("started_at", java.time.Instant.ofEpochSecond(startedAt).toString())
        .put("listen", listen)
        .put("keys_disabled", disabled)
        .put("rate_limits", limits.getString("mode"));
  }

  /** The deployed verticles, for {@code /admin/status}. */
  private JsonArray verticles() {
    JsonArray out = new JsonArray();
    deployments.forEach(d -> out.add(new JsonObject().put("name", d.name()).put("instances", d.instances()).put("deployment_id", d.id())));
    return out;
  }

  private record Deployed(String name, int instances, String id) {}

  private Future<Void> record(String name, int instances, Future<String> deployment) {
    return deployment.map(id -> {
      deployments.add(new Deployed(name, instances, id));
      return null;
    });
  }

  private static List<Endpoint> endpoints(ProviderConfig provider) {
    List<Endpoint> out = new ArrayList<>();
    for (ProviderConfig.KeyConfig key : provider.keys()) {
      for (ProviderConfig.EndpointConfig e : key.endpoints()) {
        out.add(new Endpoint(e.id(), provider.name(), key.name(), key.apiKey(), key.weight(), e.rpmLimit(), e.tpmLimit(),
            e.baseUrl().isEmpty() ? provider.baseUrl() : e.baseUrl(), e.region()));
      }
    }
    return out;
  }

  private static EnsembleConfig withPort(EnsembleConfig c, int port) {
    return new EnsembleConfig(c.server().withPort(port), c.storage(), c.responses(), c.redis(), c.cluster(), c.providers(), c.models(), c.routes(),
        c.cache());
  }
}
