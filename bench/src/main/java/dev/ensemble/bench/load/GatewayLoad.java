package dev.ensemble.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * End-to-end load benchmark of the gateway on loopback: a {@link FakeUpstream} in this JVM, the gateway as a
 * child JVM ({@link GatewayProcess}) pointed at it, and closed-loop load ({@link ClosedLoop}) sent once through
 * the gateway and once directly to the fake upstream, so that the gateway's added latency is the difference
 * of the two percentiles. Then {@link StreamSwarm} holds thousands of long streams open over h2c at once.
 * Bounded: every phase has a fixed duration or a deadline, and the whole run stops by itself.
 *
 * <p>Usage (from the repository root, after {@code mvn -q install -DskipTests} and
 * {@code mvn -q -f bench/pom.xml package}):
 * {@code java -Xmx2g -cp bench/target/benchmarks.jar dev.ensemble.bench.load.GatewayLoad [key=value ...]}
 * with keys {@code jar} (target/ensemble.jar), {@code latencyMs} (50), {@code warmupS} (5), {@code measureS} (15),
 * {@code concurrency} (100,1000), {@code streams} (10000), {@code streamSeconds} (8), {@code upstreamPorts} (48),
 * {@code gatewayJvm} (-Xmx2g), {@code phases} (all: warm,h1,sse,h2c,swarm), {@code longChunkGapMs} (1000, the long
 * streams' chunk gap), {@code upstreamHttp} (the provider's {@code http.version}: auto, http1 or h2c; unset by
 * default), {@code swarmWaitS} (60: how long a swarm stream may wait for its headers), {@code histogram} (lines of
 * {@code jcmd GC.class_histogram}, also taken before the swarm and with its streams open), {@code plateauPct} (95: the
 * share of the swarm open at once when the live heap is measured).
 */
public final class GatewayLoad {

  private final Map<String, String> options;
  private final Vertx vertx = Vertx.vertx();
  private final List<String> report = new ArrayList<>();
  private long viaGatewayCount;
  private boolean keepDir;

  private GatewayLoad(Map<String, String> options) {
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("arguments are key=value, got " + arg);
      }
      options.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    int status = new GatewayLoad(options).run();
    System.exit(status);
  }

  private String option(String key, String fallback) {
    return options.getOrDefault(key, fallback);
  }

  private int intOption(String key, int fallback) {
    return Integer.parseInt(option(key, Integer.toString(fallback)));
  }

  private int run() throws Exception {
    long latencyMs = intOption("latencyMs", 50);
    int warmupS = intOption("warmupS", 5);
    int measureS = intOption("measureS", 15);
    int streams = intOption("streams", 10_000);
    int streamSeconds = intOption("streamSeconds", 8);
    int upstreamPortCount = intOption("upstreamPorts", 48);
    List<Integer> levels = Arrays.stream(option("concurrency", "100,1000").split(",")).map(String::trim).map(Integer::parseInt).toList();
    List<String> phases = Arrays.asList(option("phases", "warm,h1,sse,h2c,swarm").split(","));
    Path jar = Path.of(option("jar", "target/ensemble.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("no gateway jar at " + jar.toAbsolutePath() + " (build it with mvn -q install -DskipTests, or pass jar=...)");
    }
    List<String> gatewayJvm = Arrays.stream(option("gatewayJvm", "-Xmx2g").split(" ")).filter(s -> !s.isBlank()).toList();

    Path dir = Files.createTempDirectory("ensemble-load");
    FakeUpstream upstream = new FakeUpstream(vertx, latencyMs, 10, 5, streamSeconds, intOption("longChunkGapMs", 1000));
    List<Integer> upstreamPorts = await(upstream.listen(upstreamPortCount), 30);
    say("fake upstream: %d ports (%d..), latency %d ms; gateway JVM options %s; temp dir %s", upstreamPorts.size(),
        upstreamPorts.get(0), latencyMs, gatewayJvm, dir);
    long startedAt = System.nanoTime();
    try (GatewayProcess gateway = GatewayProcess.start(jar, dir, upstreamPorts, gatewayJvm, option("upstreamHttp", ""))) {
      say("gateway pid %d on port %d, started; RSS %s, heap %s", gateway.pid(), gateway.port(), mib(gateway.rssBytes()), mib(gateway.heapUsedBytes()));
      List<Integer> gatewayPort = List.of(gateway.port());
      Buffer direct = body("fast", false);
      Buffer viaGateway = body(GatewayProcess.FAST_MODEL, false);

      if (phases.contains("warm")) {
        HttpClient client = http1(100);
        long before = upstream.requests();
        await(new ClosedLoop(client, gatewayPort, viaGateway).run(100, 10_000, 0), 60);
        await(new ClosedLoop(client, gatewayPort, body(GatewayProcess.FAST_MODEL, true)).run(50, 3_000, 0), 60);
        viaGatewayCount += upstream.requests() - before;
        await(client.close(), 10);
        say("warm-up done (13 s through the gateway, discarded)");
      }
      table("| test | protocol | C | path | req/s | errors | p50 ms | p90 ms | p99 ms | max ms |",
          "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
      List<String> added = new ArrayList<>();
      if (phases.contains("h1")) {
        for (int c : levels) {
          HttpClient client = http1(c);
          ClosedLoop.Result d = await(new ClosedLoop(client, upstreamPorts, direct).run(c, warmupS * 1000L, measureS * 1000L), 120);
          row("non-streamed", "HTTP/1.1", c, "direct", d, d.total());
          long before = upstream.requests();
          ClosedLoop.Result g = await(new ClosedLoop(client, gatewayPort, viaGateway).run(c, warmupS * 1000L, measureS * 1000L), 120);
          viaGatewayCount += upstream.requests() - before;
          row("non-streamed", "HTTP/1.1", c, "gateway", g, g.total());
          requireAlive(gateway);
          added.add(addedRow("non-streamed HTTP/1.1", c, d.total(), g.total(), g));
          await(client.close(), 10);
          requireAlive(gateway);
          long persisted = gateway.persistedResponses();
          say("after HTTP/1.1 C=%d: gateway RSS %s, heap used %s, live heap after a full GC %s; responses persisted %,d of %,d sent through the gateway",
              c, mib(gateway.rssBytes()), mib(gateway.heapUsedBytes()), mib(gateway.liveHeapBytes()), persisted, viaGatewayCount);
          if (options.containsKey("histogram")) {
            gateway.classHistogram(Integer.parseInt(options.get("histogram"))).forEach(line -> say("    %s", line));
          }
        }
      }
      if (phases.contains("sse")) {
        int c = levels.get(0);
        HttpClient client = http1(c);
        ClosedLoop.Result d = await(new ClosedLoop(client, upstreamPorts, body("fast", true)).run(c, 3_000, 10_000), 120);
        row("streamed, first byte", "HTTP/1.1", c, "direct", d, d.firstByte());
        long before = upstream.requests();
        ClosedLoop.Result g = await(new ClosedLoop(client, gatewayPort, body(GatewayProcess.FAST_MODEL, true)).run(c, 3_000, 10_000), 120);
        viaGatewayCount += upstream.requests() - before;
        row("streamed, first byte", "HTTP/1.1", c, "gateway", g, g.firstByte());
        requireAlive(gateway);
        added.add(addedRow("streamed TTFB HTTP/1.1", c, d.firstByte(), g.firstByte(), g));
        added.add(addedRow("streamed whole stream HTTP/1.1", c, d.total(), g.total(), g));
        await(client.close(), 10);
      }
      if (phases.contains("h2c")) {
        for (int c : levels) {
          HttpClient client = h2c(Math.max(4, (c + 99) / 100), c);
          ClosedLoop.Result d = await(new ClosedLoop(client, upstreamPorts, direct).run(c, warmupS * 1000L, 10_000), 120);
          row("non-streamed", "h2c", c, "direct", d, d.total());
          long before = upstream.requests();
          ClosedLoop.Result g = await(new ClosedLoop(client, gatewayPort, viaGateway).run(c, warmupS * 1000L, 10_000), 120);
          viaGatewayCount += upstream.requests() - before;
          row("non-streamed", "h2c", c, "gateway", g, g.total());
          requireAlive(gateway);
          added.add(addedRow("non-streamed h2c", c, d.total(), g.total(), g));
          await(client.close(), 10);
        }
      }
      say("");
      table("| gateway added (gateway − direct) | C | req/s via gateway | p50 ms | p90 ms | p99 ms |", "| --- | ---: | ---: | ---: | ---: | ---: |");
      added.forEach(this::say);

      drain(gateway);
      if (phases.contains("swarm")) {
        swarm(gateway, upstreamPorts.get(0), streams, streamSeconds);
      }
      List<String> problems = gateway.problems(10);
      say("");
      say("gateway log: %d WARN/ERROR lines shown (first 10)%s", problems.size(), problems.isEmpty() ? "" : ":");
      problems.forEach(p -> say("    %s", p));
      say("fake upstream answered %,d requests; total run %.0f s", upstream.requests(), (System.nanoTime() - startedAt) / 1e9);
    } finally {
      await(upstream.close(), 10);
      await(vertx.close(), 10);
      if (keepDir) {
        System.out.println("kept " + dir);
      } else {
        deleteQuietly(dir);
      }
    }
    if (options.containsKey("out")) {
      Files.write(Path.of(options.get("out")), report);
    }
    return 0;
  }

  private void swarm(GatewayProcess gateway, int directPort, int streams, int streamSeconds) throws Exception {
    int connections = (streams + 99) / 100;
    HttpClient client = h2c(connections, streams);
    long heapBefore = gateway.liveHeapBytes();
    long rssBefore = gateway.rssBytes();
    if (options.containsKey("histogram")) {
      say("class histogram before the swarm (jcmd GC.class_histogram):");
      gateway.classHistogram(Integer.parseInt(options.get("histogram"))).forEach(line -> say("    %s", line));
    }
    boolean direct = "direct".equals(option("swarmTarget", "gateway"));
    int waitS = intOption("swarmWaitS", 60);
    long plateauPct = intOption("plateauPct", 95);
    StreamSwarm swarm = direct
        ? new StreamSwarm(vertx, client, directPort, body(FakeUpstream.LONG_MODEL, true), waitS * 1000L)
        : new StreamSwarm(vertx, client, gateway.port(), body(GatewayProcess.LONG_MODEL, true), waitS * 1000L);
    AtomicLong peakRss = new AtomicLong(-1);
    AtomicLong peakHeap = new AtomicLong(-1);
    long[] atPlateau = {-1, -1, -1};
    List<String> timeline = new ArrayList<>();
    List<String> plateauHistogram = new java.util.concurrent.CopyOnWriteArrayList<>();
    Thread sampler = new Thread(() -> {
      long t0 = System.nanoTime();
      while (!Thread.currentThread().isInterrupted()) {
        long rss = gateway.rssBytes();
        long heap = gateway.heapUsedBytes();
        peakRss.accumulateAndGet(rss, Math::max);
        peakHeap.accumulateAndGet(heap, Math::max);
        int open = swarm.open();
        timeline.add(String.format(Locale.ROOT, "%.0fs:%d open/%s/%s", (System.nanoTime() - t0) / 1e9, open, mib(rss), mib(heap)));
        if (atPlateau[0] < 0 && open >= streams * plateauPct / 100) {
          atPlateau[0] = open;
          atPlateau[1] = gateway.liveHeapBytes();
          atPlateau[2] = gateway.rssBytes();
          timeline.add(String.format(Locale.ROOT, "(full GC with %d open: live heap %s, RSS %s)", swarm.open(), mib(atPlateau[1]), mib(atPlateau[2])));
          if (options.containsKey("histogram")) {
            plateauHistogram.addAll(gateway.classHistogram(Integer.parseInt(options.get("histogram"))));
          }
        }
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "swarm-sampler");
    sampler.setDaemon(true);
    sampler.start();
    long deadlineMs = (streamSeconds + waitS) * 1000L;
    StreamSwarm.Result r = await(swarm.run(streams, deadlineMs), deadlineMs / 1000 + 30);
    sampler.interrupt();
    sampler.join(5000);
    await(client.close(), 30);
    say("");
    say("Concurrent streams over h2c: %,d streaming requests of %d s (one chunk every %d ms) on %d connections to the gateway",
        streams, streamSeconds, intOption("longChunkGapMs", 1000), connections);
    table("| streams sent | complete | failed | unfinished at deadline | peak open at once | wall s | gateway RSS before / peak during | "
            + "live heap before / with the streams open (after a full GC) | heap used, peak |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |");
    say("| %,d | %,d | %,d | %,d | %,d (at %d s) | %.1f | %s / %s | %s / %s (%,d open) | %s |", r.started(), r.complete(), r.failed(), r.unfinished(),
        r.peakOpen(), r.secondsToPeak(), r.seconds(), mib(rssBefore), mib(peakRss.get()), mib(heapBefore), mib(atPlateau[1]), atPlateau[0],
        mib(peakHeap.get()));
    if (atPlateau[1] > 0 && heapBefore > 0 && atPlateau[0] > 0) {
      say("live heap per open stream: about %,.0f KiB", (atPlateau[1] - heapBefore) / 1024.0 / atPlateau[0]);
    }
    if (!r.errorSamples().isEmpty()) {
      say("errors (samples): %s", r.errorSamples());
    }
    say("timeline (open streams / RSS / heap): %s", String.join(", ", timeline));
    if (!plateauHistogram.isEmpty()) {
      say("class histogram with the streams open (jcmd GC.class_histogram):");
      plateauHistogram.forEach(line -> say("    %s", line));
    }
    say("gateway alive after swarm: %s", gateway.alive());
    requireAlive(gateway);
  }

  /** Waits (at most 60 s) for the gateway's response store to catch up with the load, and says how fast it wrote. */
  private void drain(GatewayProcess gateway) throws InterruptedException {
    long start = System.nanoTime();
    long first = gateway.persistedResponses();
    long now = first;
    while (now < viaGatewayCount && System.nanoTime() - start < 60_000_000_000L) {
      Thread.sleep(1000);
      now = gateway.persistedResponses();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    say("");
    say("response store: %,d of %,d responses persisted when the load stopped; %,d after %.0f s more (%,.0f a second while idle); "
        + "gateway RSS %s, live heap %s", first, viaGatewayCount, now, seconds, seconds > 0.5 ? (now - first) / seconds : 0.0,
        mib(gateway.rssBytes()), mib(gateway.liveHeapBytes()));
  }

  private HttpClient http1(int connections) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true).setPipelining(false),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  private HttpClient h2c(int connections, int concurrency) {
    int perConnection = Math.max(1, (concurrency + connections - 1) / connections);
    return vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false)
            .setHttp2MultiplexingLimit(perConnection).setTcpNoDelay(true),
        new PoolOptions().setHttp2MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  private static Buffer body(String model, boolean stream) {
    JsonObject json = new JsonObject().put("model", model)
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", "You are a terse assistant."))
            .add(new JsonObject().put("role", "user").put("content", "Say hello in five words.")))
        .put("max_tokens", 32);
    if (stream) {
      json.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    }
    return json.toBuffer();
  }

  /** Stops the run (keeping the temp dir) when the gateway has died, with its exit status and the end of its log. */
  private void requireAlive(GatewayProcess gateway) {
    List<String> death = gateway.death(40);
    if (!death.isEmpty()) {
      death.forEach(line -> say("    %s", line));
      keepDir = true;
      throw new IllegalStateException("the gateway died; see above");
    }
  }

  private void row(String test, String protocol, int c, String path, ClosedLoop.Result r, Histogram h) {
    say("| %s | %s | %,d | %s | %,.0f | %,d | %s | %s | %s | %s |", test, protocol, c, path, r.perSecond(), r.errors(),
        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    if (!r.errorSamples().isEmpty()) {
      say("    errors (samples): %s", r.errorSamples());
    }
  }

  private static String addedRow(String what, int c, Histogram direct, Histogram gateway, ClosedLoop.Result g) {
    return String.format(Locale.ROOT, "| %s | %,d | %,.0f | %s | %s | %s |", what, c, g.perSecond(),
        ms(gateway.getValueAtPercentile(50) - direct.getValueAtPercentile(50)),
        ms(gateway.getValueAtPercentile(90) - direct.getValueAtPercentile(90)),
        ms(gateway.getValueAtPercentile(99) - direct.getValueAtPercentile(99)));
  }

  private static String ms(long micros) {
    return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
  }

  private void table(String header, String rule) {
    say(header);
    say(rule);
  }

  private void say(String format, Object... args) {
    String line = args.length == 0 ? format : String.format(Locale.ROOT, format, args);
    report.add(line);
    System.out.println(line);
  }

  private static <T> T await(Future<T> future, long seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }
}
