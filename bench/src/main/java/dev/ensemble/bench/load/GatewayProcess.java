package dev.ensemble.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The gateway under test as a child JVM ({@code java -jar ensemble.jar serve --config <generated>}), so that
 * it has its own JIT, heap and GC, and its RSS can be read from {@code /proc}. The generated config has one
 * {@code openai}-type provider whose keys each have one endpoint on one of the fake upstream's ports, the
 * {@code round_robin} strategy, no limits, no client keys, and its SQLite file and responses in a temp dir.
 */
public final class GatewayProcess implements AutoCloseable {

  /** The client-facing model that the fake upstream answers quickly. */
  public static final String FAST_MODEL = "bench-fast";
  /** The client-facing model whose streams last seconds. */
  public static final String LONG_MODEL = "bench-long";

  private final Process process;
  private final Path dir;
  private final int port;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private GatewayProcess(Process process, Path dir, int port, Path log) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.log = log;
  }

  /** Writes the config into {@code dir}, starts the gateway and waits (up to 60 s) until it answers its health check. */
  public static GatewayProcess start(Path jar, Path dir, List<Integer> upstreamPorts, List<String> jvmOptions) throws Exception {
    return start(jar, dir, upstreamPorts, jvmOptions, "");
  }

  /** As above, with the provider's {@code http.version} set to {@code upstreamHttp} unless it is empty. */
  public static GatewayProcess start(Path jar, Path dir, List<Integer> upstreamPorts, List<String> jvmOptions, String upstreamHttp) throws Exception {
    int port = freePort();
    Path config = dir.resolve("ensemble.yaml");
    Files.writeString(config, config(port, dir, upstreamPorts, upstreamHttp));
    Path log = dir.resolve("gateway.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "serve", "--config", config.toString()));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    GatewayProcess gateway = new GatewayProcess(process, dir, port, log);
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::close));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the gateway exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      if (gateway.healthy()) {
        return gateway;
      }
      Thread.sleep(200);
    }
    gateway.close();
    throw new IllegalStateException("the gateway did not answer /api/v1/health within 60 s:\n" + Files.readString(log));
  }

  static String config(int port, Path dir, List<Integer> upstreamPorts, String upstreamHttp) {
    StringBuilder y = new StringBuilder();
    y.append("server:\n  host: 127.0.0.1\n  port: ").append(port).append("\n  require_client_keys: false\n");
    y.append("storage:\n  sqlite_path: ").append(dir.resolve("ensemble.db")).append('\n');
    y.append("responses:\n  store: local\n  local_dir: ").append(dir.resolve("responses")).append('\n');
    y.append("providers:\n  fake:\n    type: openai\n    base_url: http://127.0.0.1:").append(upstreamPorts.get(0)).append("/v1\n");
    y.append("    strategy: round_robin\n    timeout_ms: 60000\n");
    if (!upstreamHttp.isEmpty()) {
      y.append("    http: { version: ").append(upstreamHttp).append(" }\n");
    }
    y.append("    keys:\n");
    for (int i = 0; i < upstreamPorts.size(); i++) {
      y.append(String.format(Locale.ROOT, "      - { name: k%d, api_key: sk-bench-%d, endpoints: [ { id: fake-%d, base_url: \"http://127.0.0.1:%d/v1\" } ] }%n",
          i, i, i, upstreamPorts.get(i)));
    }
    y.append("models:\n");
    y.append("  ").append(FAST_MODEL).append(":\n    pricing: { input: 1, output: 2 }\n    providers: [ { provider: fake, model: fast } ]\n");
    y.append("  ").append(LONG_MODEL).append(":\n    pricing: { input: 1, output: 2 }\n    providers: [ { provider: fake, model: ")
        .append(FakeUpstream.LONG_MODEL).append(" } ]\n");
    return y.toString();
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Why the gateway is gone: its exit status and the last lines of its log; empty while it runs. */
  public List<String> death(int lines) {
    if (process.isAlive()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    out.add("the gateway exited with status " + process.exitValue() + " (143 = SIGTERM, 137 = SIGKILL, 134 = abort, see hs_err_pid*.log in " + dir + ")");
    try {
      List<String> all = Files.readAllLines(log);
      out.addAll(all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      out.add("(log unreadable: " + e + ")");
    }
    return out;
  }

  /** VmRSS of the gateway process in bytes, or -1 when /proc cannot tell. */
  public long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Sum of {@code jvm_memory_used_bytes{area="heap"}} from the gateway's {@code /metrics}, or -1. */
  public long heapUsedBytes() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return -1;
      }
      double sum = 0;
      boolean found = false;
      for (String line : response.body().split("\n")) {
        if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
          sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
          found = true;
        }
      }
      return found ? (long) sum : -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * How many responses the gateway has written to its response store so far: the lines of the local store's segment
   * files ({@code responses/<day>/seg-*.log}, one record per line), as {@code side-by-side.sh} counts them.
   */
  public long persistedResponses() {
    Path root = dir.resolve("responses");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    for (int attempt = 0; attempt < 5; attempt++) {
      try (java.util.stream.Stream<Path> files = Files.walk(root)) {
        return files.filter(f -> f.getFileName().toString().startsWith("seg-") && f.getFileName().toString().endsWith(".log"))
            .mapToLong(GatewayProcess::lines).sum();
      } catch (IOException | java.io.UncheckedIOException e) {
        // a segment was created while the tree was being walked: walk again
      }
    }
    return -1;
  }

  private static long lines(Path segment) {
    try (java.io.InputStream in = Files.newInputStream(segment)) {
      byte[] buffer = new byte[1 << 16];
      long count = 0;
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            count++;
          }
        }
      }
      return count;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * Heap used after a full GC ({@code jcmd <pid> GC.run}, then the {@code used} figure of {@code jcmd GC.heap_info}):
   * the live set, or -1. Read with jcmd rather than {@code /metrics} so a busy gateway still gives a figure.
   */
  public long liveHeapBytes() {
    jcmd("GC.run");
    for (String line : jcmd("GC.heap_info")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(line);
      if (m.find()) {
        return Long.parseLong(m.group(1)) * 1024;
      }
    }
    return heapUsedBytes();
  }

  /** The first {@code lines} lines of {@code jcmd <pid> GC.class_histogram} (which collects first): what the live heap holds. */
  public List<String> classHistogram(int lines) {
    List<String> out = jcmd("GC.class_histogram");
    return out.subList(0, Math.min(lines, out.size()));
  }

  private List<String> jcmd(String command) {
    try {
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command).redirectErrorStream(true).start();
      List<String> out = new String(p.getInputStream().readAllBytes()).lines().toList();
      p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return List.of("(jcmd failed: " + e + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of();
    }
  }

  private boolean healthy() {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Lines of the gateway's log that are WARN or ERROR (at most {@code max}). */
  public List<String> problems(int max) {
    List<String> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(log)) {
      for (String line : new String(in.readAllBytes()).split("\n")) {
        if ((line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception")) && out.size() < max) {
          out.add(line);
        }
      }
    } catch (IOException e) {
      out.add("(log unreadable: " + e + ")");
    }
    return out;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
