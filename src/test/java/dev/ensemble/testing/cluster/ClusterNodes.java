package dev.ensemble.testing.cluster;

import com.hazelcast.core.HazelcastInstance;
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
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Gateway nodes clustered in one JVM (real Hazelcast members, {@link LoopbackCluster}; event bus on 127.0.0.1, random ports), each
 * a full node on its own Vert.x instance as {@code serve} runs it, configured by a YAML text per node index.
 * {@link #close()} stops them all, then closes their Vert.x instances together (and the Hazelcast members of
 * {@link #startFirewalled}, which their Vert.x does not own).
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
  private final IntFunction<String> yaml;
  private final Map<String, String> env;
  private final boolean firewalled;

  private ClusterNodes(LoopbackCluster cluster, IntFunction<String> yaml, Map<String, String> env, boolean firewalled) {
    this.cluster = cluster;
    this.yaml = yaml;
    this.env = env;
    this.firewalled = firewalled;
  }

  /** Starts {@code count} nodes one after the other; node {@code i} reads {@code yaml.apply(i)}. */
  public static ClusterNodes start(int count, IntFunction<String> yaml) throws Exception {
    return start(count, yaml, Map.of());
  }

  /** As {@link #start(int, IntFunction)}, with {@code ${VAR}} in the YAML expanded from {@code env}. */
  public static ClusterNodes start(int count, IntFunction<String> yaml, Map<String, String> env) throws Exception {
    return start(new ClusterNodes(new LoopbackCluster(count), yaml, env, false), count);
  }

  /**
   * As {@link #start(int, IntFunction)}, on members whose cluster traffic can be cut and restored
   * ({@link LoopbackCluster#firewalledMember}, {@link NetworkSplit}; {@link #hazelcast(int)} gives the member).
   */
  public static ClusterNodes startFirewalled(int count, IntFunction<String> yaml) throws Exception {
    return start(new ClusterNodes(new LoopbackCluster(count), yaml, Map.of(), true), count);
  }

  private static ClusterNodes start(ClusterNodes started, int count) throws Exception {
    try {
      for (int i = 0; i < count; i++) {
        started.nodes.add(null);
        started.startNode(i);
      }
    } catch (Exception e) {
      started.close();
      throw e;
    }
    return started;
  }

  /** Starts node {@code index} (again, after {@link #stopNode}) as a member of the same cluster, on the same files. */
  public Node startNode(int index) throws Exception {
    return startNode(index, yaml.apply(index));
  }

  /** Starts node {@code index} with another YAML text; a node that fails to start leaves nothing running. */
  public Node startNode(int index, String yamlText) throws Exception {
    return startNode(index, yamlText, false);
  }

  /** Starts node {@code index} on its files as a cluster of its own, cut off from the others (see {@link LoopbackCluster#isolatedMember}). */
  public Node startIsolated(int index) throws Exception {
    return startNode(index, yaml.apply(index), true);
  }

  private Node startNode(int index, String yamlText, boolean isolated) throws Exception {
    EnsembleConfig config = new ConfigLoader(env).parse(yamlText);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0));
    Vertx vertx = InstrumentedVertx.builder(options, registry).withClusterManager(isolated ? cluster.isolatedMember(index) : firewalled ? cluster.firewalledMember(index) : cluster.member(index)).buildClustered()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    nodes.set(index, new Node(vertx, null, List.of()));
    try {
      Gateway gateway = Gateway.start(vertx, config, registry).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      Node node = new Node(vertx, gateway, List.copyOf(config.providers().keySet()));
      nodes.set(index, node);
      return node;
    } catch (Exception e) {
      HazelcastInstance member = hazelcastOf(vertx);
      vertx.close().toCompletionStage().toCompletableFuture().handle((v, err) -> null).get(30, TimeUnit.SECONDS);
      shutDown(member);
      nodes.set(index, null);
      throw e;
    }
  }

  /** Stops node {@code index}: its gateway, then its Vert.x (it leaves the cluster). */
  public void stopNode(int index) throws Exception {
    Node node = nodes.get(index);
    if (node == null) {
      return;
    }
    nodes.set(index, null);
    if (node.gateway() != null) {
      node.gateway().stop().toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    }
    HazelcastInstance member = hazelcastOf(node.vertx());
    node.vertx().close().toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    shutDown(member);
  }

  /** The Hazelcast member of node {@code index}. */
  public HazelcastInstance hazelcast(int index) {
    return hazelcastOf(nodes.get(index).vertx());
  }

  private static HazelcastInstance hazelcastOf(Vertx vertx) {
    return ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
  }

  /** Shuts a member down unless its Vert.x did (a member given to the cluster manager is not the manager's to stop). */
  private static void shutDown(HazelcastInstance member) {
    if (member != null && member.getLifecycleService().isRunning()) {
      member.getLifecycleService().shutdown();
    }
  }

  /** How many nodes there are room for (started or stopped). */
  public int size() {
    return nodes.size();
  }

  public Node node(int index) {
    return nodes.get(index);
  }

  /** Forgets on every node what failures taught its pools: cooldowns, disabled keys, open circuits. */
  public void resetPools() throws Exception {
    List<Future<Object>> resets = new ArrayList<>();
    for (Node node : nodes) {
      if (node == null) {
        continue;
      }
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
      if (node != null && node.gateway() != null) {
        stops.add(node.gateway().stop());
      }
    }
    Future.join(stops).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    List<Future<Void>> closes = new ArrayList<>();
    List<HazelcastInstance> members = new ArrayList<>();
    nodes.stream().filter(n -> n != null).forEach(n -> {
      members.add(hazelcastOf(n.vertx()));
      closes.add(n.vertx().close());
    });
    Future.join(closes).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(30, TimeUnit.SECONDS);
    members.forEach(ClusterNodes::shutDown);
    nodes.clear();
  }
}
