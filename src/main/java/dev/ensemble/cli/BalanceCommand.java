package dev.ensemble.cli;

import dev.ensemble.balancer.ReadyBalancer;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code ensemble balance --port 8080 --nodes 8081,8082,8083}: a local load balancer in front of nodes on 127.0.0.1,
 * for trying a fleet on one machine ({@code cluster/run-local.sh}); in production use your platform's. Runs until
 * SIGTERM or SIGINT.
 */
@Command(name = "balance", mixinStandardHelpOptions = true,
    description = "Round-robin HTTP load balancer over local nodes, following their /api/v1/ready.")
final class BalanceCommand implements java.util.concurrent.Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--nodes", required = true, split = ",", description = "Ports of the nodes on 127.0.0.1.")
  List<Integer> nodes;

  @Option(names = "--check-interval-ms", defaultValue = "500", description = "Readiness check interval (default: ${DEFAULT-VALUE}).")
  long checkIntervalMs;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    ReadyBalancer balancer;
    try {
      balancer = ReadyBalancer.start(vertx, host, port, nodes, checkIntervalMs).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("ensemble: could not start the balancer: " + (e.getCause() == null ? e : e.getCause()).getMessage());
      vertx.close();
      return 1;
    }
    System.out.println("balancing http://" + host + ":" + balancer.port() + " over 127.0.0.1:" + nodes);
    CompletableFuture<Integer> stopped = new CompletableFuture<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      balancer.close();
      vertx.close().toCompletionStage().toCompletableFuture().join();
      stopped.complete(0);
    }, "balancer-stop"));
    return stopped.get();
  }
}
