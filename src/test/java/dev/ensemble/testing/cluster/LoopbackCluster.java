package dev.ensemble.testing.cluster;

import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The shared membership of an in-JVM test cluster: which nodes have joined, their event-bus addresses and
 * their event-bus registrations. Each {@link #newMember()} is the cluster manager of one Vert.x node; the nodes
 * then talk over a real clustered event bus (TCP on loopback), only discovery is in memory.
 *
 * <p>Why not Hazelcast: {@code io.vertx:vertx-hazelcast} is not a dependency of this build. This stands in for
 * it at the Vert.x cluster-manager SPI, so what is tested is Ensemble's use of the clustered event bus and of
 * the membership, not Hazelcast's discovery. Shared maps, locks and counters are not supported (Ensemble uses
 * none).
 */
public final class LoopbackCluster {

  private final Map<String, LoopbackClusterManager> members = new LinkedHashMap<>();
  private final Map<String, NodeInfo> nodeInfos = new ConcurrentHashMap<>();
  private final Map<String, List<RegistrationInfo>> registrations = new LinkedHashMap<>();
  private final Map<String, Map<Object, Object>> syncMaps = new ConcurrentHashMap<>();

  /** A cluster manager for a new node; it joins when its Vert.x is built. */
  public ClusterManager newMember() {
    return new LoopbackClusterManager(this);
  }

  synchronized List<String> nodes() {
    return List.copyOf(members.keySet());
  }

  void join(LoopbackClusterManager node) {
    List<LoopbackClusterManager> others;
    synchronized (this) {
      others = new ArrayList<>(members.values());
      members.put(node.getNodeId(), node);
    }
    others.forEach(o -> o.nodeAdded(node.getNodeId()));
  }

  void leave(LoopbackClusterManager node) {
    List<LoopbackClusterManager> others;
    List<String> changed = new ArrayList<>();
    synchronized (this) {
      members.remove(node.getNodeId());
      nodeInfos.remove(node.getNodeId());
      registrations.forEach((address, list) -> {
        if (list.removeIf(r -> r.nodeId().equals(node.getNodeId()))) {
          changed.add(address);
        }
      });
      others = new ArrayList<>(members.values());
    }
    others.forEach(o -> o.nodeLeft(node.getNodeId()));
    changed.forEach(this::announce);
  }

  void nodeInfo(String nodeId, NodeInfo info) {
    nodeInfos.put(nodeId, info);
  }

  NodeInfo nodeInfo(String nodeId) {
    return nodeInfos.get(nodeId);
  }

  synchronized List<RegistrationInfo> registrations(String address) {
    return List.copyOf(registrations.getOrDefault(address, List.of()));
  }

  void addRegistration(String address, RegistrationInfo info) {
    synchronized (this) {
      registrations.computeIfAbsent(address, a -> new ArrayList<>()).add(info);
    }
    announce(address);
  }

  void removeRegistration(String address, RegistrationInfo info) {
    synchronized (this) {
      List<RegistrationInfo> list = registrations.get(address);
      if (list != null) {
        list.remove(info);
      }
    }
    announce(address);
  }

  @SuppressWarnings("unchecked")
  <K, V> Map<K, V> syncMap(String name) {
    return (Map<K, V>) syncMaps.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
  }

  private void announce(String address) {
    List<LoopbackClusterManager> nodes;
    synchronized (this) {
      nodes = new ArrayList<>(members.values());
    }
    RegistrationUpdateEvent event = new RegistrationUpdateEvent(address, registrations(address));
    nodes.forEach(n -> n.registrationsUpdated(event));
  }
}
