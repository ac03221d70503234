package dev.ensemble.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers a test must start on a port known in advance (Redis, S3Proxy, Hazelcast members, gateway
 * processes that restart where the load balancer expects them).
 *
 * <p>A port found with {@code new ServerSocket(0)} comes from the kernel's ephemeral range, the same range every
 * outgoing connection takes its local port from: between the moment the test frees it and the moment the server
 * binds it, a client connection (a Hazelcast member dialling another, an HTTP client) can take it, and the server
 * fails with "Address already in use". So the ports come from below Linux's default ephemeral range
 * (32768-60999), where no outgoing connection lands, and each is checked free by binding it once.
 */
public final class FreePorts {

  private static final int FIRST = 20_000;
  private static final int LAST = 32_000;

  private FreePorts() {
  }

  /** A port on 127.0.0.1 that was free a moment ago and that no outgoing connection will take. */
  public static int next() {
    for (int tries = 0; tries < 200; tries++) {
      int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        return port;
      } catch (IOException taken) {
        // try another
      }
    }
    throw new UncheckedIOException(new IOException("no free port between " + FIRST + " and " + LAST + " on 127.0.0.1"));
  }
}
