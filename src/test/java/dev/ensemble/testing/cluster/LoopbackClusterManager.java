package dev.ensemble.testing.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One node's view of a {@link LoopbackCluster}. */
final class LoopbackClusterManager implements ClusterManager {

  private final LoopbackCluster cluster;
  private final String nodeId = UUID.randomUUID().toString();
  private volatile NodeListener nodeListener;
  private volatile RegistrationListener registrationListener;
  private volatile NodeInfo nodeInfo;
  private volatile boolean active;

  LoopbackClusterManager(LoopbackCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public void init(Vertx vertx) {
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    promise.fail(new UnsupportedOperationException("the loopback test cluster has no shared maps"));
  }

  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    return cluster.syncMap(name);
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    promise.fail(new UnsupportedOperationException("the loopback test cluster has no locks"));
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    promise.fail(new UnsupportedOperationException("the loopback test cluster has no counters"));
  }

  @Override
  public String getNodeId() {
    return nodeId;
  }

  @Override
  public List<String> getNodes() {
    return cluster.nodes();
  }

  @Override
  public void nodeListener(NodeListener listener) {
    this.nodeListener = listener;
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    this.nodeInfo = nodeInfo;
    cluster.nodeInfo(nodeId, nodeInfo);
    promise.succeed();
  }

  @Override
  public NodeInfo getNodeInfo() {
    return nodeInfo;
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    NodeInfo info = cluster.nodeInfo(nodeId);
    if (info == null) {
      promise.fail(new IllegalStateException("not a member of the cluster: " + nodeId));
    } else {
      promise.succeed(info);
    }
  }

  @Override
  public void join(Completable<Void> promise) {
    cluster.join(this);
    active = true;
    promise.succeed();
  }

  @Override
  public void leave(Completable<Void> promise) {
    active = false;
    cluster.leave(this);
    promise.succeed();
  }

  @Override
  public boolean isActive() {
    return active;
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    this.registrationListener = listener;
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    cluster.addRegistration(address, registrationInfo);
    promise.succeed();
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registrationInfo, Completable<Void> promise) {
    cluster.removeRegistration(address, registrationInfo);
    promise.succeed();
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    promise.succeed(cluster.registrations(address));
  }

  void nodeAdded(String id) {
    NodeListener listener = nodeListener;
    if (listener != null) {
      listener.nodeAdded(id);
    }
  }

  void nodeLeft(String id) {
    NodeListener listener = nodeListener;
    if (listener != null) {
      listener.nodeLeft(id);
    }
  }

  void registrationsUpdated(RegistrationUpdateEvent event) {
    RegistrationListener listener = registrationListener;
    if (listener != null && listener.wantsUpdatesFor(event.address())) {
      listener.registrationsUpdated(event);
    }
  }
}
