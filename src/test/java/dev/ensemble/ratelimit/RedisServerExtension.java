package dev.ensemble.ratelimit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A real redis-server on a free 127.0.0.1 port for a test class: the {@code redis-server} on the PATH if there
 * is one, else the binary shipped in embedded-redis. Register it as a static {@code @RegisterExtension}
 * field. Tests may {@link #stop()} and {@link #restart()} it (same port, empty data); it is running again,
 * and empty ({@link #flushAll()}), before each test, and always stopped after the class.
 */
public final class RedisServerExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  private final ExecutableProvider executable = executable();
  private int port;
  private RedisServer server;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    port = freePort();
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    if (server == null || !server.isActive()) {
      start();
    } else {
      flushAll();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    stop();
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  public String address() {
    return "redis://127.0.0.1:" + port;
  }

  public synchronized void stop() {
    if (server != null) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server = null;
    }
  }

  /** Stops the server if running and starts a new, empty one on the same port; returns once it accepts. */
  public synchronized void restart() {
    stop();
    try {
      start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes every key (FLUSHALL), so no test sees the counts of an earlier one. */
  public synchronized void flushAll() {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write("*1\r\n$8\r\nFLUSHALL\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      byte[] reply = new byte[5];
      int read = socket.getInputStream().readNBytes(reply, 0, reply.length);
      String answer = new String(reply, 0, read, StandardCharsets.US_ASCII);
      if (!answer.equals("+OK\r\n")) {
        throw new IllegalStateException("FLUSHALL answered " + answer);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private synchronized void start() throws IOException {
    RedisServer next = RedisServer.newRedisServer()
        .executableProvider(executable)
        .bind("127.0.0.1")
        .port(port)
        .setting("save \"\"")
        .setting("appendonly no")
        .build();
    next.start();
    server = next;
  }

  private static ExecutableProvider executable() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File candidate = new File(dir, "redis-server");
        if (candidate.isFile() && candidate.canExecute()) {
          return () -> candidate;
        }
      }
    }
    return ExecutableProvider.newJarResourceProvider();
  }

  private static int freePort() throws IOException {
    return dev.ensemble.testing.FreePorts.next();
  }
}
