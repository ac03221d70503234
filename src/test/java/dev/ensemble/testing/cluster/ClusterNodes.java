package dev.ensemble.testing.cluster;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.metrics.InstrumentedVertx;
import dev.ensemble.node.Gateway;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Gateway nodes clustered in one JVM (real Hazelcast members, {@link LoopbackCluster}; event bus on 127.0.0.1, random ports), each
 * a full node on its own Vert.x instance as {@code serve} runs it, configured by a YAML text per node index.
 * {@link #close()} stops them all, then closes their Vert.x instances together.
 */
public final class ClusterNodes implements AutoCloseable {

  /** One node of the cluster. */
  public record Node(Vertx vertx, Gateway gateway, List<String> providers) {

    /** {@code http://127.0.0.1:<port>}. */
    public String baseUrl() {
      return "http://127.0.0.1:" + gateway.port();
    }
  }

  private final List<Node> nodes = new ArrayList<>();
  private final LoopbackCluster cluster;

  private ClusterNodes(LoopbackCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts {@code count} nodes one after the other; node {@code i} reads {@code yaml.apply(i)}. */
  public static ClusterNodes start(int count, IntFunction<String> yaml) throws Exception {
    return start(count, count, yaml);
  }

  /** Starts {@code count} nodes of a cluster with room for {@code capacity} (the rest {@link #join} later). */
  public static ClusterNodes start(int count, int capacity, IntFunction<String> yaml) throws Exception {
    ClusterNodes started = new ClusterNodes(new LoopbackCluster(capacity));
    try {
      for (int i = 0; i < count; i++) {
        started.join(yaml.apply(i));
      }
    } catch (Exception e) {
      started.close();
      throw e;
    }
    return started;
  }

  /** Starts one more node configured by {@code yaml}; it joins the running ones. */
  public Node join(String yaml) throws Exception {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse(yaml);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    Vertx vertx = InstrumentedVertx.builder(options, registry).withClusterManager(cluster.newMember()).buildClustered()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    int i = nodes.size();
    nodes.add(new Node(vertx, null, List.of()));
    Gateway gateway = Gateway.start(vertx, config, registry).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    Node node = new Node(vertx, gateway, List.copyOf(config.providers().keySet()));
    nodes.set(i, node);
    return node;
  }

  public Node node(int index) {
    return nodes.get(index);
  }

  /** Forgets on every node what failures taught its pools: cooldowns, disabled keys, open circuits. */
  public void resetPools() throws Exception {
    List<Future<Object>> resets = new ArrayList<>();
    for (Node node : nodes) {
      for (String provider : node.providers()) {
        resets.add(node.vertx().eventBus().request(Addresses.poolReset(provider), null).map(m -> null));
      }
    }
    Future.all(resets).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    List<Future<Void>> stops = new ArrayList<>();
    for (Node node : nodes) {
      if (node.gateway() != null) {
        stops.add(node.gateway().stop());
      }
    }
    Future.join(stops).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    List<Future<Void>> closes = new ArrayList<>();
    nodes.forEach(n -> closes.add(n.vertx().close()));
    Future.join(closes).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    nodes.clear();
  }
}
