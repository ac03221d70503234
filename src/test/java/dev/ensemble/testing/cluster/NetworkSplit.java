package dev.ensemble.testing.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.instance.impl.Node;

/**
 * A real network split between Hazelcast members started by {@link LoopbackCluster#firewalledMember}: {@link #cut}
 * refuses every connection between two members and closes the open ones on both sides (what a blocked cluster
 * port does), then has each side suspect the other so that both sides see the split at once rather than after the
 * heartbeat timeout; {@link #restore} lets connections through again, and Hazelcast's own split-brain detection
 * finds the other side and merges the smaller side into the larger. The state (blocked addresses) lives in each
 * member's {@link FirewalledServer}.
 */
public final class NetworkSplit {

  private NetworkSplit() {
  }

  /** Blocks the traffic between {@code a} and {@code b} in both directions. */
  public static void cut(HazelcastInstance a, HazelcastInstance b) {
    Node left = node(a);
    Node right = node(b);
    firewall(left).block(right.getThisAddress());
    firewall(right).block(left.getThisAddress());
    suspect(left, right);
    suspect(right, left);
  }

  /** Lets the traffic between {@code a} and {@code b} through again. */
  public static void restore(HazelcastInstance a, HazelcastInstance b) {
    Node left = node(a);
    Node right = node(b);
    firewall(left).unblock(right.getThisAddress());
    firewall(right).unblock(left.getThisAddress());
    left.getJoiner().unblacklist(right.getThisAddress());
    right.getJoiner().unblacklist(left.getThisAddress());
  }

  private static void suspect(Node suspecting, Node suspected) {
    Member member = suspecting.getClusterService().getMember(suspected.getThisAddress());
    if (member != null) {
      suspecting.getClusterService().suspectMember(member, "network split (test)", true);
    }
  }

  private static FirewalledServer firewall(Node node) {
    if (node.getServer() instanceof FirewalledServer server) {
      return server;
    }
    throw new IllegalStateException("not a member started by LoopbackCluster.firewalledMember");
  }

  private static Node node(HazelcastInstance instance) {
    return ((HazelcastInstanceProxy) instance).getOriginal().node;
  }
}
