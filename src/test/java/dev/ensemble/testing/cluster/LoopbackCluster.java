package dev.ensemble.testing.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A Hazelcast cluster of real members in one JVM, on 127.0.0.1 only: each {@link #newMember()} is the cluster
 * manager of one Vert.x node, a Hazelcast member that joins the others over TCP/IP on a port reserved for it.
 * Configured as {@code STACK.md} found to work: Vert.x's map settings ({@link ConfigUtil#loadConfig()}), a cluster
 * name of its own (so parallel runs never meet), multicast and auto-detection off, the loopback interface,
 * {@code hazelcast.socket.bind.any=false} and {@code hazelcast.wait.seconds.before.join=0} (a join in about a
 * second instead of seven). Close the nodes of one cluster together.
 */
public final class LoopbackCluster {

  private final String name = "ensemble-test-" + UUID.randomUUID();
  private final List<Integer> ports;
  private int joined;

  /** A cluster of at most {@code size} members. */
  public LoopbackCluster(int size) {
    List<Integer> reserved = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      reserved.add(freePort());
    }
    this.ports = List.copyOf(reserved);
  }

  /** A cluster of at most two members. */
  public LoopbackCluster() {
    this(2);
  }

  /** The cluster manager of the next member; it joins when its Vert.x is built. */
  public synchronized ClusterManager newMember() {
    if (joined == ports.size()) {
      throw new IllegalStateException("this test cluster has room for " + ports.size() + " members");
    }
    return member(joined++);
  }

  /**
   * The cluster manager of member {@code index} on its reserved port: a member that left (a restarted node) joins
   * again as itself.
   */
  public ClusterManager member(int index) {
    return member(index, name);
  }

  /**
   * Member {@code index}, on its port, as a cluster of its own (another cluster name: the others never see it) — a
   * node cut off from its fleet, as by a network split; {@link #member(int)} brings it back.
   */
  public ClusterManager isolatedMember(int index) {
    return member(index, name + "-isolated-" + UUID.randomUUID());
  }

  private ClusterManager member(int index, String clusterName) {
    int port = ports.get(index);
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(port).setPortAutoIncrement(false);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(ports.stream().map(p -> "127.0.0.1:" + p).toList());
    return new HazelcastClusterManager(config);
  }

  private static int freePort() {
    return dev.ensemble.testing.FreePorts.next();
  }
}
