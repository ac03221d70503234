package dev.ensemble.bench;

import dev.ensemble.config.RedisConfig;
import dev.ensemble.config.Secret;
import dev.ensemble.ratelimit.Admission;
import dev.ensemble.ratelimit.EndpointLimits;
import dev.ensemble.ratelimit.LimiterStatus;
import dev.ensemble.ratelimit.LocalRateLimiter;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.ratelimit.RedisRateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Latency of one {@link RateLimiter#tryAdmit} with a real Redis ({@link RedisRateLimiter}: one EVALSHA of the
 * GCRA script per admission) against the in-process {@link LocalRateLimiter}, measured from the call to the
 * completion of its future, on one Vert.x event loop keeping 1 or 100 calls in flight (closed loop: each
 * completed call issues the next). Limits are huge, so every call is admitted. Starts its own redis-server:
 * the one on PATH, else embedded-redis's bundled binary.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.ensemble.bench.RedisLimiterLatency [calls] [poolSize]}
 * (defaults 200000 measured calls after as many warm-up calls; pool size 20, the config default).
 */
public final class RedisLimiterLatency {

  static final int ENDPOINTS = 16;

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int poolSize = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    int port = freePort();
    RedisServer server = RedisServer.newRedisServer().executableProvider(executable()).bind("127.0.0.1").port(port)
        .setting("save \"\"").setting("appendonly no").build();
    server.start();
    Vertx vertx = Vertx.vertx();
    try {
      Map<String, EndpointLimits> limits = new LinkedHashMap<>();
      for (int i = 0; i < ENDPOINTS; i++) {
        limits.put("ep-" + i, new EndpointLimits(Integer.MAX_VALUE, Integer.MAX_VALUE));
      }
      RedisRateLimiter redis = new RedisRateLimiter(vertx, new RedisConfig("redis://127.0.0.1:" + port, "", Secret.EMPTY, poolSize),
          limits, 1);
      redis.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      LocalRateLimiter local = new LocalRateLimiter(limits);
      System.out.printf(Locale.ROOT, "redis-server on port %d, client pool size %d, %d endpoints, %,d calls per run after %,d warm-up calls%n%n",
          port, poolSize, ENDPOINTS, calls, calls);
      System.out.println("| limiter | in flight | calls/s | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs |");
      System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
      for (int inFlight : new int[] {1, 100}) {
        for (RateLimiter limiter : new RateLimiter[] {local, redis}) {
          String name = limiter == redis ? "RedisRateLimiter" : "LocalRateLimiter";
          run(vertx, limiter, inFlight, calls);
          long started = System.nanoTime();
          long[] latencies = run(vertx, limiter, inFlight, calls);
          double seconds = (System.nanoTime() - started) / 1e9;
          Arrays.sort(latencies);
          System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", name, inFlight, calls / seconds,
              pct(latencies, 0.50), pct(latencies, 0.90), pct(latencies, 0.99), pct(latencies, 0.999), latencies[latencies.length - 1] / 1e3);
        }
      }
      LimiterStatus status = redis.status();
      System.out.printf("%nRedis limiter status after the runs: mode %s, fallbacks %d%n", status.mode(), status.fallbacks());
      redis.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      server.stop();
    }
  }

  /** {@code calls} admissions from one event loop, {@code inFlight} at a time; each call's latency in ns. */
  static long[] run(Vertx vertx, RateLimiter limiter, int inFlight, int calls) throws Exception {
    long[] latencies = new long[calls];
    AtomicInteger issued = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Promise<Void> finished = Promise.promise();
    vertx.runOnContext(v -> {
      for (int w = 0; w < inFlight; w++) {
        next(limiter, latencies, issued, done, finished);
      }
    });
    finished.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
    return latencies;
  }

  /** Issues calls until one is still pending (then its completion continues), or all are issued. */
  private static void next(RateLimiter limiter, long[] latencies, AtomicInteger issued, AtomicInteger done, Promise<Void> finished) {
    while (true) {
      int i = issued.getAndIncrement();
      if (i >= latencies.length) {
        return;
      }
      long start = System.nanoTime();
      Future<Admission> f = limiter.tryAdmit("ep-" + (i % ENDPOINTS), 1_000);
      if (f.isComplete()) {
        complete(f, latencies, i, start, done, finished);
        continue;
      }
      f.onComplete(ar -> {
        complete(f, latencies, i, start, done, finished);
        next(limiter, latencies, issued, done, finished);
      });
      return;
    }
  }

  private static void complete(Future<Admission> f, long[] latencies, int i, long start, AtomicInteger done, Promise<Void> finished) {
    latencies[i] = System.nanoTime() - start;
    if (f.failed() || !f.result().admitted()) {
      finished.tryFail("call " + i + " was not admitted: " + (f.failed() ? f.cause() : f.result()));
    }
    if (done.incrementAndGet() == latencies.length) {
      finished.tryComplete();
    }
  }

  private static double pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e3;
  }

  private static ExecutableProvider executable() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        File candidate = new File(dir, "redis-server");
        if (candidate.isFile() && candidate.canExecute()) {
          System.out.println("redis-server: " + candidate);
          return () -> candidate;
        }
      }
    }
    System.out.println("redis-server: embedded-redis's bundled binary");
    return ExecutableProvider.newJarResourceProvider();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
