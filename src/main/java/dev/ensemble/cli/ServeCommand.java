package dev.ensemble.cli;

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
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@code ensemble serve --config FILE}: runs a node until the process is told to stop. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a gateway node.")
final class ServeCommand implements Callable<Integer> {

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
    Vertx vertx = InstrumentedVertx.builder(registry).build();
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Gateway.start(vertx, loaded, registry).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("ensemble: could not start: " + ar.cause().getMessage());
        vertx.close().onComplete(v -> exit.complete(1));
        return;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          ar.result().stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
          // the process is exiting either way
        }
      }, "ensemble-shutdown"));
    });
    return exit.get();
  }
}
