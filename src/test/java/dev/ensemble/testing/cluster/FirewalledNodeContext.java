package dev.ensemble.testing.cluster;

import com.hazelcast.instance.impl.DefaultNodeContext;
import com.hazelcast.instance.impl.Node;
import com.hazelcast.internal.server.Server;
import com.hazelcast.internal.server.tcp.LocalAddressRegistry;
import com.hazelcast.internal.server.tcp.ServerSocketRegistry;

/** Hazelcast's default member setup, with its member-to-member connections behind a {@link FirewalledServer}. */
final class FirewalledNodeContext extends DefaultNodeContext {

  @Override
  public Server createServer(Node node, ServerSocketRegistry registry, LocalAddressRegistry addressRegistry) {
    return new FirewalledServer(super.createServer(node, registry, addressRegistry));
  }
}
