package dev.ensemble.testing.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * N Ensemble nodes as separate JVMs of the real jar, joined in one Hazelcast cluster on 127.0.0.1 (a random
 * cluster name, one fixed Hazelcast port per node, every node listing the others), each with its own folder under
 * {@code root}. The node config is a YAML template ({@code %PORT%}, {@code %DIR%}, and {@code %CLUSTER_XML%} for the
 * generated Hazelcast config). {@link #close} kills every node still running, whatever happened.
 *
 * <pre>{@code
 * try (Fleet fleet = Fleet.start(root, 3, yaml, Map.of("AWS_ACCESS_KEY_ID", "..."), Fleet.READY_TIMEOUT)) {
 *   fleet.node(0).sigterm(); ...
 * }
 * }</pre>
 */
public final class Fleet implements AutoCloseable {

  /**
   * How long a fleet test waits for a node to be ready: generous for a loaded 2-core machine, where three JVMs
   * starting together and Hazelcast joining them took over 30 s; the wait ends as soon as the node answers 200.
   */
  public static final Duration READY_TIMEOUT = Duration.ofMinutes(3);

  private final List<NodeProcess> nodes;

  private Fleet(List<NodeProcess> nodes) {
    this.nodes = nodes;
  }

  /** Starts {@code size} clustered nodes and waits until every one is ready. */
  public static Fleet start(Path root, int size, String yaml, Map<String, String> env, Duration readyTimeout) {
    List<Integer> hazelcastPorts = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      hazelcastPorts.add(NodeProcess.freePort());
    }
    Path clusterXml = root.resolve("cluster.xml");
    try {
      Files.createDirectories(root);
      Files.writeString(clusterXml, clusterXml());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> clusterEnv = new HashMap<>(env);
    clusterEnv.put("ENSEMBLE_CLUSTER_NAME", "fleet-" + UUID.randomUUID());
    clusterEnv.put("ENSEMBLE_CLUSTER_MEMBERS", hazelcastPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    clusterEnv.put("ENSEMBLE_CLUSTER_HOST", "127.0.0.1");
    List<NodeProcess> nodes = new ArrayList<>();
    Fleet fleet = new Fleet(nodes);
    try {
      for (int i = 0; i < size; i++) {
        nodes.add(new NodeProcess("node-" + i, root.resolve("node-" + i), yaml.replace("%CLUSTER_XML%", clusterXml.toString()), clusterEnv,
            List.of("-Densemble.fleet.hazelcast.port=" + hazelcastPorts.get(i), "-Dhazelcast.logging.type=slf4j",
                "-Dhazelcast.phone.home.enabled=false")).start());
      }
      nodes.forEach(n -> n.awaitReady(readyTimeout));
      return fleet;
    } catch (RuntimeException e) {
      fleet.close();
      throw e;
    }
  }

  public List<NodeProcess> nodes() {
    return nodes;
  }

  public NodeProcess node(int i) {
    return nodes.get(i);
  }

  public List<Integer> ports() {
    return nodes.stream().map(NodeProcess::port).toList();
  }

  @Override
  public void close() {
    nodes.forEach(NodeProcess::close);
  }

  /** Hazelcast on the port of {@code -Densemble.fleet.hazelcast.port}, joining the members of the environment. */
  private static String clusterXml() {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>${ensemble.cluster.name}</cluster-name>
          <properties>
            <property name="hazelcast.phone.home.enabled">false</property>
            <property name="hazelcast.wait.seconds.before.join">0</property>
            <property name="hazelcast.shutdownhook.enabled">false</property>
            <property name="hazelcast.socket.bind.any">false</property>
          </properties>
          <network>
            <port auto-increment="false">${ensemble.fleet.hazelcast.port}</port>
            <join>
              <auto-detection enabled="false"/>
              <multicast enabled="false"/>
              <tcp-ip enabled="true"><members>${ensemble.cluster.members}</members></tcp-ip>
            </join>
            <interfaces enabled="true"><interface>127.0.0.1</interface></interfaces>
          </network>
          <multimap name="__vertx.subs"><backup-count>1</backup-count><value-collection-type>SET</value-collection-type></multimap>
          <map name="__vertx.haInfo"><backup-count>1</backup-count></map>
          <map name="__vertx.nodeInfo"><backup-count>1</backup-count></map>
        </hazelcast>
        """;
  }
}
