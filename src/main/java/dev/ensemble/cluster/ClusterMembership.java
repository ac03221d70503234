package dev.ensemble.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;

import java.util.ArrayList;
import java.util.List;

/**
 * Who this node is in its cluster and who else is there, read from the cluster manager of a clustered
 * Vert.x. Thread-safe: the cluster manager keeps the member list.
 */
public final class ClusterMembership {

  private final ClusterManager manager;

  private ClusterMembership(ClusterManager manager) {
    this.manager = manager;
  }

  /** The membership of {@code vertx}'s cluster; {@code vertx} must be clustered. */
  public static ClusterMembership of(Vertx vertx) {
    if (!vertx.isClustered()) {
      throw new IllegalArgumentException("this Vert.x instance is not clustered");
    }
    return new ClusterMembership(((VertxInternal) vertx).clusterManager());
  }

  public String nodeId() {
    return manager.getNodeId();
  }

  /** The ids of the cluster's members, this node included, sorted. */
  public List<String> members() {
    List<String> nodes = new ArrayList<>(manager.getNodes());
    nodes.sort(null);
    return nodes;
  }

  /** {@code {enabled: true, node_id, members: [...]}} for {@code GET /admin/status}. */
  public JsonObject toJson() {
    return new JsonObject().put("enabled", true).put("node_id", nodeId()).put("members", new JsonArray(new ArrayList<>(members())));
  }
}
