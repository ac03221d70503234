package dev.ensemble.node;

import dev.ensemble.bus.LocalCodec;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.ingress.IngressVerticle;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.pools.Endpoint;
import dev.ensemble.pools.PoolVerticle;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.providers.ProviderKind;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.routing.EndpointLoad;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RouterVerticle;
import dev.ensemble.routing.UsageReport;
import dev.ensemble.wire.anthropic.AnthropicClientDialect;
import dev.ensemble.wire.openai.OpenAiClientDialect;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running Ensemble node on a Vert.x instance: builds the provider pools and the router from the config and
 * deploys the verticles in dependency order — router, one pool per provider, then ingress on every event
 * loop. {@link #stop()} undeploys them in reverse.
 */
public final class Gateway {

  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Vertx vertx;
  private final List<String> deployments = new ArrayList<>();
  private int port;

  private Gateway(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts a node; the future completes once it listens. */
  public static Future<Gateway> start(Vertx vertx, EnsembleConfig config) {
    Gateway gateway = new Gateway(vertx);
    return gateway.deploy(config).map(gateway);
  }

  /** The port the node listens on (the configured one, or the one chosen for port 0). */
  public int port() {
    return port;
  }

  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.remove(i);
      chain = chain.compose(v -> vertx.undeploy(id));
    }
    return chain.onComplete(ar -> {
      vertx.eventBus().unregisterDefaultCodec(UsageReport.class);
      vertx.eventBus().unregisterDefaultCodec(AttemptOutcome.class);
    });
  }

  private Future<Void> deploy(EnsembleConfig config) {
    if (config.server().requireClientKeys()) {
      return Future.failedFuture(new dev.ensemble.config.ConfigException("server.require_client_keys",
          "gateway client keys are not available in this build yet; use a loopback host with require_client_keys: false"));
    }
    vertx.eventBus().registerDefaultCodec(UsageReport.class, new LocalCodec<>(UsageReport.class));
    vertx.eventBus().registerDefaultCodec(AttemptOutcome.class, new LocalCodec<>(AttemptOutcome.class));

    Map<String, ProviderPool> pools = new LinkedHashMap<>();
    Map<String, ProviderKind> kinds = new LinkedHashMap<>();
    config.providers().forEach((name, provider) -> {
      ProviderKind kind = ProviderKinds.of(provider);
      kinds.put(name, kind);
      pools.put(name, new ProviderPool(provider, kind.adapter(), kind.auth(), endpoints(provider)));
    });
    EndpointLoad load = new EndpointLoad();
    ModelRouter router = new ModelRouter(config, pools, load, System::currentTimeMillis);
    long startedAt = System.currentTimeMillis() / 1000;
    OpenAiClientDialect openAi = new OpenAiClientDialect();
    AnthropicClientDialect anthropic = new AnthropicClientDialect();

    Future<Void> chain = record(vertx.deployVerticle(new RouterVerticle(load)));
    for (ProviderPool pool : pools.values()) {
      chain = chain.compose(v -> record(vertx.deployVerticle(new PoolVerticle(pool, kinds.get(pool.name()).transport()))));
    }
    int instances = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    // Vert.x shares a listening port between servers that ask for the same port number. Port 0 would give every
    // instance its own random port, and the chosen port asked for again is not the shared server but a second
    // bind (address in use); a negative port is Vert.x's "one random port shared by all servers asking for it".
    EnsembleConfig listening = config.server().port() == 0 ? withPort(config, -1) : config;
    IngressVerticle first = new IngressVerticle(listening, router, openAi, anthropic, startedAt);
    return chain
        .compose(v -> record(vertx.deployVerticle(first)))
        .compose(v -> {
          port = first.actualPort();
          return instances <= 1 ? Future.<Void>succeededFuture() : record(vertx.deployVerticle(
              () -> new IngressVerticle(listening, router, openAi, anthropic, startedAt), new DeploymentOptions().setInstances(instances - 1)));
        })
        .onSuccess(v -> LOG.info("Ensemble listening on http://{}:{} ({} providers, {} models, {} ingress instances)",
            config.server().host(), port, pools.size(), config.models().size(), instances))
        .recover(err -> stop().transform(v -> Future.failedFuture(err)));
  }

  private Future<Void> record(Future<String> deployment) {
    return deployment.map(id -> {
      deployments.add(id);
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
    var s = c.server();
    return new EnsembleConfig(new dev.ensemble.config.ServerConfig(s.host(), port, s.maxBodyBytes(), s.adminKey(), s.requireClientKeys(),
        s.allowAnonymous(), s.metricsKey()), c.storage(), c.responses(), c.redis(), c.cluster(), c.providers(), c.models(), c.routes());
  }
}
