package dev.ensemble.cli;

import dev.ensemble.cluster.HazelcastSetup;
import dev.ensemble.config.ConfigException;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.metrics.InstrumentedVertx;
import dev.ensemble.node.Gateway;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * {@code ensemble serve --config FILE}: runs a node until the process is told to stop; with
 * {@code cluster.enabled} it first joins the Hazelcast cluster of {@code cluster.config}. SIGTERM (or SIGINT, or
 * {@code POST /admin/drain}) drains the node, stops it, leaves the cluster and exits 0; a second signal during the
 * drain stops the process at once ({@link StopSignals}).
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a gateway node.")
final class ServeCommand implements Callable<Integer> {

  /** How long joining the cluster may take before the node gives up. */
  private static final long JOIN_TIMEOUT_SECONDS = 120;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "conf/ensemble.yaml",
      description = "The config file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Override
  public Integer call() throws Exception {
    EnsembleConfig loaded;
    try {
      loaded = new ConfigLoader(System.getenv()).load(config);
    } catch (ConfigException e) {
      System.err.println("ensemble: invalid config " + config + ": " + e.getMessage());
      return 2;
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx;
    if (loaded.cluster().enabled()) {
      Map<String, String> env = System.getenv();
      try {
        Path dir = config.toAbsolutePath().getParent();
        Path xml = HazelcastSetup.configFile(loaded.cluster().config(), dir == null ? Path.of("") : dir);
        var options = HazelcastSetup.options(env);
        vertx = HazelcastSetup.start(InstrumentedVertx.builder(options, registry), xml, env)
            .toCompletionStage().toCompletableFuture().get(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ConfigException e) {
        System.err.println("ensemble: invalid config " + config + ": " + e.getMessage());
        return 2;
      } catch (ExecutionException | TimeoutException e) {
        System.err.println("ensemble: could not start: " + (e.getCause() == null ? e : e.getCause()).getMessage());
        return 1;
      }
    } else {
      vertx = InstrumentedVertx.builder(registry).build();
    }
    Vertx node = vertx;
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Gateway.start(node, loaded, registry).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("ensemble: could not start: " + ar.cause().getMessage());
        node.close().onComplete(v -> exit.complete(1));
        return;
      }
      Gateway gateway = ar.result();
      // a drain (SIGTERM or POST /admin/drain) ends with the node stopped: leave the cluster, then exit 0
      gateway.terminated().onComplete(stopped -> node.close().onComplete(closed -> exit.complete(stopped.succeeded() ? 0 : 1)));
      StopSignals.install(gateway::drain);
    });
    return exit.get();
  }
}
