package dev.ensemble.testing.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.instance.EndpointQualifier;
import com.hazelcast.internal.nio.ConnectionListener;
import com.hazelcast.internal.nio.Packet;
import com.hazelcast.internal.server.NetworkStats;
import com.hazelcast.internal.server.Server;
import com.hazelcast.internal.server.ServerConnection;
import com.hazelcast.internal.server.ServerConnectionManager;
import com.hazelcast.internal.server.ServerContext;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Hazelcast member's networking (its TCP server) with a firewall in front of its member connections: to a
 * {@link #block blocked} address it opens no connection, sends nothing and accepts no handshake, as when the
 * cluster port is blocked between two hosts. The blocked addresses are a concurrent set (read on Hazelcast's I/O
 * and operation threads, written by the test through {@link NetworkSplit}); everything else is the real server's.
 */
final class FirewalledServer implements Server {

  private final Server delegate;
  private final Connections members;

  FirewalledServer(Server delegate) {
    this.delegate = delegate;
    this.members = new Connections(delegate.getConnectionManager(EndpointQualifier.MEMBER));
  }

  /** Refuses every connection with {@code address} from now on and closes the open ones. */
  void block(Address address) {
    members.blocked.add(address);
    members.delegate.getAllConnections(address).forEach(c -> c.close("cluster traffic blocked (test network split)", null));
  }

  /** Lets connections with {@code address} through again. */
  void unblock(Address address) {
    members.blocked.remove(address);
  }

  @Override
  public ServerContext getContext() {
    return delegate.getContext();
  }

  @Override
  public ServerConnectionManager getConnectionManager(EndpointQualifier qualifier) {
    ServerConnectionManager manager = delegate.getConnectionManager(qualifier);
    return manager == members.delegate ? members : manager;
  }

  @Override
  public Collection<ServerConnection> getConnections() {
    return delegate.getConnections();
  }

  @Override
  public Map<EndpointQualifier, NetworkStats> getNetworkStats() {
    return delegate.getNetworkStats();
  }

  @Override
  public boolean isLive() {
    return delegate.isLive();
  }

  @Override
  public void start() {
    delegate.start();
  }

  @Override
  public void stop() {
    delegate.stop();
  }

  @Override
  public void shutdown() {
    delegate.shutdown();
  }

  @Override
  public void addConnectionListener(ConnectionListener<ServerConnection> listener) {
    delegate.addConnectionListener(listener);
  }

  /** The member connections, filtered by the blocked addresses. */
  private final class Connections implements ServerConnectionManager {

    private final ServerConnectionManager delegate;
    private final Set<Address> blocked = ConcurrentHashMap.newKeySet();

    Connections(ServerConnectionManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public Collection<ServerConnection> getConnections() {
      return delegate.getConnections();
    }

    @Override
    public boolean register(Address primary, Address target, Collection<Address> aliases, UUID uuid, ServerConnection connection, int index) {
      if (blocked.contains(primary) || blocked.contains(target) || aliases.stream().anyMatch(blocked::contains)) {
        connection.close("cluster traffic blocked (test network split)", null);
        return false;
      }
      return delegate.register(primary, target, aliases, uuid, connection, index);
    }

    @Override
    public ServerConnection get(Address address, int streamId) {
      return blocked.contains(address) ? null : delegate.get(address, streamId);
    }

    @Override
    public List<ServerConnection> getAllConnections(Address address) {
      return blocked.contains(address) ? List.of() : delegate.getAllConnections(address);
    }

    @Override
    public ServerConnection getOrConnect(Address address, int streamId) {
      return blocked.contains(address) ? null : delegate.getOrConnect(address, streamId);
    }

    @Override
    public ServerConnection getOrConnect(Address address, boolean silent, int streamId) {
      return blocked.contains(address) ? null : delegate.getOrConnect(address, silent, streamId);
    }

    @Override
    public boolean blockOnConnect(Address address, long millis, int streamId) throws InterruptedException {
      return !blocked.contains(address) && delegate.blockOnConnect(address, millis, streamId);
    }

    @Override
    public boolean transmit(Packet packet, Address target, int streamId) {
      return !blocked.contains(target) && delegate.transmit(packet, target, streamId);
    }

    @Override
    public NetworkStats getNetworkStats() {
      return delegate.getNetworkStats();
    }

    @Override
    public Server getServer() {
      return FirewalledServer.this;
    }

    @Override
    public void accept(Packet packet) {
      delegate.accept(packet);
    }

    @Override
    public void addConnectionListener(ConnectionListener<ServerConnection> listener) {
      delegate.addConnectionListener(listener);
    }
  }
}
