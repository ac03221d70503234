package dev.ensemble.testing.fleet;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Ensemble node as a separate JVM running the real jar ({@code java -jar target/ensemble.jar serve}), with its
 * own config file, data folder and log file, on a fixed 127.0.0.1 port so that it restarts where the load
 * balancer expects it. Stopped with SIGTERM ({@link #sigterm}), killed with SIGKILL ({@link #kill}), frozen with SIGSTOP
 * ({@link #freeze}, as a node in a long GC pause or on a stalled machine: its sockets stay open, nothing answers) and
 * thawed with SIGCONT ({@link #thaw}), started again on the same data ({@link #start}). {@link #close} thaws and kills
 * what is still running. Not thread-safe: one test drives it.
 */
public final class NodeProcess implements AutoCloseable {

  /** The packaged jar: failsafe passes its path, else the build's default. */
  public static Path jar() {
    return Path.of(System.getProperty("ensemble.jar", "target/ensemble.jar")).toAbsolutePath();
  }

  private final String name;
  private final Path dir;
  private final Path config;
  private final int port;
  private final Map<String, String> env;
  private final List<String> jvmOptions;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private int starts;
  private boolean frozen;

  /**
   * @param dir        the node's folder: its config is written there as {@code ensemble.yaml}, its data and log too
   * @param yaml       the config text; {@code %PORT%} and {@code %DIR%} are replaced by the node's port and folder
   * @param env        extra environment of the process
   */
  public NodeProcess(String name, Path dir, String yaml, Map<String, String> env, List<String> jvmOptions) {
    this.name = name;
    this.dir = dir;
    this.port = freePort();
    this.env = Map.copyOf(env);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.config = dir.resolve("ensemble.yaml");
    try {
      Files.createDirectories(dir);
      Files.writeString(config, yaml.replace("%PORT%", Integer.toString(port)).replace("%DIR%", dir.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Starts the process (again, after it exited) on the same config and data. */
  public NodeProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is running");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-Djava.io.tmpdir=" + dir);
    command.add("-Djava.net.preferIPv4Stack=true");
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar().toString());
    command.add("serve");
    command.add("--config");
    command.add(config.toString());
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
    builder.environment().putAll(env);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    starts++;
    return this;
  }

  public Path log() {
    return dir.resolve("node.log");
  }

  /** The last {@code lines} lines of the node's log, for assertion messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
      return name + " log:\n" + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return name + " log unreadable: " + e;
    }
  }

  /**
   * Waits until {@code GET /api/v1/ready} answers 200, asking every 100 ms (the wait is on the process's exit, so a
   * node that dies fails at once).
   */
  public NodeProcess awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it was ready\n" + logTail(40));
      }
      if (readyStatus() == 200) {
        return this;
      }
      awaitExitFor(Duration.ofMillis(100));
    }
    throw new IllegalStateException(name + " not ready within " + timeout + "\n" + logTail(40));
  }

  /** {@code /api/v1/ready}'s status now, or -1 when the node does not answer. */
  public int readyStatus() {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/api/v1/ready")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Waits 50 ms, or less if the process exits meanwhile: the pace of a loop that watches the node. */
  public void awaitReadyStatusChange() {
    awaitExitFor(Duration.ofMillis(50));
  }

  /** SIGTERM: the node drains and exits. */
  public void sigterm() {
    process.destroy();
  }

  /** SIGKILL: the node dies at once, as in a crash or an OOM kill. */
  public void kill() {
    process.destroyForcibly();
  }

  /** SIGSTOP: the process stops where it is (its sockets stay open, nothing answers) until {@link #thaw}. */
  public void freeze() {
    signal("STOP");
    frozen = true;
  }

  /** SIGCONT: a frozen process runs on. */
  public void thaw() {
    if (frozen) {
      signal("CONT");
      frozen = false;
    }
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed: " + new String(kill.getInputStream().readAllBytes(),
            StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Waits for the process to exit; its exit code. */
  public int awaitExit(Duration timeout) {
    if (!awaitExitFor(timeout)) {
      throw new IllegalStateException(name + " still running after " + timeout + "\n" + logTail(40));
    }
    return process.exitValue();
  }

  private boolean awaitExitFor(Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** How many times the process was started. */
  public int starts() {
    return starts;
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      if (frozen) {
        try {
          thaw();
        } catch (RuntimeException e) {
          // SIGKILL ends a stopped process too
        }
      }
      process.destroyForcibly();
      awaitExitFor(Duration.ofSeconds(10));
    }
  }

  static int freePort() {
    return dev.ensemble.testing.FreePorts.next();
  }
}
