package dev.ensemble.ratelimit;

import dev.ensemble.config.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Limits counted exactly across all nodes in Redis: one atomic server-side script call per admission
 * ({@link LimitScript}, by EVALSHA; EVAL when Redis answers NOSCRIPT), which decides the endpoint's request
 * limit and token limit together — both taken or neither — on the Redis server's clock, so the nodes' clocks
 * do not matter. Keys are {@code ensemble:rl:{<endpointId>}:rpm|tpm}; the hash tag keeps both on one cluster
 * slot, and each expires once its endpoint is idle.
 *
 * <p><b>Requests: an exact sliding window.</b> Requests per minute are a sorted-set log of the admissions of
 * the last 60 seconds (one member per request, O(limit) memory in Redis), so no 60-second window ever holds
 * more than the limit, however the requests are spread — the same rule as the in-process
 * {@link SlidingWindowLog}. A refusal says when the oldest admission that must leave turns 60 seconds old.
 *
 * <p><b>Tokens: GCRA.</b> Tokens per minute keep one number (the theoretical arrival time of {@link Gcra}),
 * which takes a variable cost (the estimate) in O(1), can be corrected afterwards (real usage known after the
 * response) and yields the precise retry-after: a token bucket, as providers meter tokens.
 *
 * <p><b>Degradation.</b> A Redis error or a reply slower than the reply timeout never fails a request: that
 * call is decided by a local fallback {@link LocalRateLimiter} holding each endpoint's fair share (its limit
 * divided by the node count), the limiter switches to {@link LimiterStatus.Mode#DEGRADED} (later calls go
 * straight to the fallback, without waiting on Redis), counts fallbacks, and PINGs Redis on a timer; when
 * Redis answers, the script is loaded again (a restarted Redis has lost it) and exact counting resumes. Each
 * switch starts from a fresh count on the other side, so around a switch a window may admit up to one extra
 * share; a reply that arrives after its timeout may have taken capacity in Redis that was also granted
 * locally (conservative for later calls).
 *
 * <p><b>State.</b> The mode, the limited endpoints, the node count and the fallback built from them are one
 * immutable {@link State}, replaced whole by compare-and-set from whichever thread registers an endpoint, resizes
 * the shares or degrades: a change made from a stale state retries on the current one, so no endpoint registered
 * while the shares are resized can be missing from the fallback (where it would be admitted without limit).
 *
 * <p>The node count is a constructor argument for now; the cluster manager will feed the live member count
 * through {@link #updateNodes}. Standalone use (e.g. a benchmark): {@code new RedisRateLimiter(vertx, config,
 * limits, nodes)}, then {@link #start()}, then {@link #tryAdmit}; {@link #close()} at the end.
 */
public final class RedisRateLimiter implements RateLimiter {

  public static final long DEFAULT_REPLY_TIMEOUT_MILLIS = 2_000;
  public static final long DEFAULT_PROBE_INTERVAL_MILLIS = 1_000;

  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final Future<Admission> UNLIMITED = Future.succeededFuture(Admission.admit(true));

  private final Vertx vertx;
  private final Redis redis;
  private final AtomicReference<State> state;
  private final Function<Map<String, EndpointLimits>, LocalRateLimiter> fallbackFactory;
  private final long replyTimeoutMillis;
  private final long probeIntervalMillis;
  private final AtomicLong fallbacks = new AtomicLong();
  private final AtomicBoolean probing = new AtomicBoolean();
  private final AtomicLong probeTimer = new AtomicLong(-1);
  /** Names this limiter's admissions in the request logs: unique per limiter instance, plus a sequence. */
  private final String memberPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + ":";
  private final AtomicLong admissions = new AtomicLong();
  private volatile String scriptSha;
  private volatile String lastError;
  private volatile boolean closed;

  /**
   * Everything a decision reads, replaced whole: the mode, each limited endpoint's limits, the node count and the
   * local fallback holding each endpoint's share of its limits (its counters live on across registrations).
   */
  private record State(LimiterStatus.Mode mode, Map<String, EndpointLimits> limits, int nodes, LocalRateLimiter fallback) {

    State withMode(LimiterStatus.Mode next) {
      return new State(next, limits, nodes, fallback);
    }

    State withLimits(Map<String, EndpointLimits> next) {
      return new State(mode, Map.copyOf(next), nodes, fallback);
    }
  }

  public RedisRateLimiter(Vertx vertx, RedisConfig config, Map<String, EndpointLimits> limits, int nodes) {
    this(vertx, config, limits, nodes, DEFAULT_REPLY_TIMEOUT_MILLIS, DEFAULT_PROBE_INTERVAL_MILLIS);
  }

  /**
   * @param nodes               expected number of gateway nodes; sizes the fair share used while degraded
   * @param replyTimeoutMillis  longest wait for a Redis reply before the call is decided locally
   * @param probeIntervalMillis how often a degraded limiter PINGs Redis
   */
  public RedisRateLimiter(
      Vertx vertx, RedisConfig config, Map<String, EndpointLimits> limits, int nodes, long replyTimeoutMillis,
      long probeIntervalMillis) {
    this(vertx, config, limits, nodes, replyTimeoutMillis, probeIntervalMillis, LocalRateLimiter::new);
  }

  /** @param fallbackFactory builds the local fallback from each endpoint's share (a seam for tests) */
  RedisRateLimiter(
      Vertx vertx, RedisConfig config, Map<String, EndpointLimits> limits, int nodes, long replyTimeoutMillis,
      long probeIntervalMillis, Function<Map<String, EndpointLimits>, LocalRateLimiter> fallbackFactory) {
    if (replyTimeoutMillis <= 0 || probeIntervalMillis <= 0) {
      throw new IllegalArgumentException("timeouts must be > 0");
    }
    Map<String, EndpointLimits> limited = new HashMap<>();
    limits.forEach((id, l) -> {
      if (l.limited()) {
        limited.put(id, l);
      }
    });
    this.fallbackFactory = fallbackFactory;
    this.state = new AtomicReference<>(new State(LimiterStatus.Mode.REDIS, Map.copyOf(limited), nodes,
        fallbackFactory.apply(shares(limited, nodes))));
    this.vertx = vertx;
    this.replyTimeoutMillis = replyTimeoutMillis;
    this.probeIntervalMillis = probeIntervalMillis;
    this.redis = Redis.createClient(vertx, options(config, replyTimeoutMillis));
  }

  private static Map<String, EndpointLimits> shares(Map<String, EndpointLimits> limits, int nodes) {
    Map<String, EndpointLimits> shares = new HashMap<>();
    limits.forEach((id, l) -> shares.put(id, l.shareOf(nodes)));
    return shares;
  }

  private static RedisOptions options(RedisConfig config, long replyTimeoutMillis) {
    int poolSize = Math.max(1, config.poolSize());
    RedisOptions options = new RedisOptions()
        .setConnectionString(config.address())
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(Math.max(1_024, poolSize * 256))
        .setMaxWaitingHandlers(1_024)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout((int) Math.max(1_000, replyTimeoutMillis * 4))
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    if (config.username() != null && !config.username().isBlank()) {
      options.setUser(config.username());
    }
    if (config.password() != null && !config.password().isEmpty()) {
      options.setPassword(config.password().value());
    }
    return options;
  }

  /** Loads the script; if Redis does not answer, starts degraded (and probing). Never fails. */
  @Override
  public Future<Void> start() {
    return loadScript()
        .<Void>map(sha -> null)
        .recover(err -> {
          degrade(err);
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<Admission> tryAdmit(String endpointId, long estimatedTokens) {
    State current = state.get();
    EndpointLimits endpoint = current.limits().get(endpointId);
    if (endpoint == null) {
      return UNLIMITED;
    }
    long tokens = Math.max(0, estimatedTokens);
    if (current.mode() != LimiterStatus.Mode.REDIS) {
      return admitLocally(endpointId, tokens);
    }
    String member = memberPrefix + admissions.incrementAndGet();
    return eval(sha -> LimitScript.admit(sha, endpointId, endpoint, tokens, member))
        .map(RedisRateLimiter::admission)
        .recover(err -> {
          degrade(err);
          return admitLocally(endpointId, tokens);
        });
  }

  @Override
  public void correct(String endpointId, long tokenDelta) {
    EndpointLimits endpoint = state.get().limits().get(endpointId);
    if (endpoint == null || endpoint.tpm() == null || tokenDelta == 0) {
      return;
    }
    applyCorrection(endpointId, endpoint, tokenDelta);
  }

  /** {@link #correct}, completing once the correction is counted (in Redis, or locally when degraded). */
  Future<Void> applyCorrection(String endpointId, long tokenDelta) {
    EndpointLimits endpoint = state.get().limits().get(endpointId);
    if (endpoint == null || endpoint.tpm() == null || tokenDelta == 0) {
      return Future.succeededFuture();
    }
    return applyCorrection(endpointId, endpoint, tokenDelta);
  }

  private Future<Void> applyCorrection(String endpointId, EndpointLimits endpoint, long tokenDelta) {
    if (state.get().mode() != LimiterStatus.Mode.REDIS) {
      correctLocally(endpointId, tokenDelta);
      return Future.succeededFuture();
    }
    return eval(sha -> LimitScript.correct(sha, endpointId, endpoint, tokenDelta))
        .<Void>mapEmpty()
        .recover(err -> {
          degrade(err);
          correctLocally(endpointId, tokenDelta);
          return Future.succeededFuture();
        });
  }

  @Override
  public LimiterStatus status() {
    LimiterStatus.Mode current = state.get().mode();
    return new LimiterStatus(current, current == LimiterStatus.Mode.REDIS, lastError, fallbacks.get());
  }

  /**
   * Resizes the degraded-mode fair share to {@code nodes} nodes (the live cluster member count). The local
   * fallback starts a fresh count.
   */
  public void updateNodes(int nodes) {
    State current;
    State next;
    do {
      current = state.get();
      next = new State(current.mode(), current.limits(), nodes, fallbackFactory.apply(shares(current.limits(), nodes)));
    } while (!state.compareAndSet(current, next));
  }

  /**
   * Counts {@code endpointId} in Redis from now on; the local fallback gets its fair share of the limits before the
   * endpoint is published as limited, so no decision finds it limited but unknown to the fallback.
   */
  @Override
  public void register(String endpointId, EndpointLimits limits) {
    if (!limits.limited()) {
      unregister(endpointId);
      return;
    }
    State current;
    State next;
    do {
      current = state.get();
      current.fallback().register(endpointId, limits.shareOf(current.nodes()));
      Map<String, EndpointLimits> withIt = new HashMap<>(current.limits());
      withIt.put(endpointId, limits);
      next = current.withLimits(withIt);
    } while (!state.compareAndSet(current, next));
  }

  @Override
  public void unregister(String endpointId) {
    State current;
    State next;
    do {
      current = state.get();
      Map<String, EndpointLimits> without = new HashMap<>(current.limits());
      without.remove(endpointId);
      next = current.withLimits(without);
    } while (!state.compareAndSet(current, next));
    next.fallback().unregister(endpointId);
  }

  @Override
  public Future<Void> close() {
    closed = true;
    cancelProbe();
    return redis.close();
  }

  private Future<Response> eval(Function<String, Request> request) {
    String sha = scriptSha;
    return send(request.apply(sha)).recover(err -> {
      if (sha != null && isNoScript(err)) {
        return send(request.apply(null));
      }
      return Future.failedFuture(err);
    });
  }

  private Future<Response> send(Request request) {
    return redis.send(request).timeout(replyTimeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** The first call opens a connection in a cold JVM: allow it more than a hot-path reply. */
  private long startTimeoutMillis() {
    return Math.max(2_000, replyTimeoutMillis);
  }

  private static boolean isNoScript(Throwable err) {
    String message = err.getMessage();
    return message != null && message.startsWith("NOSCRIPT");
  }

  private static Admission admission(Response reply) {
    boolean admitted = reply.get(0).toLong() == 1;
    return admitted ? Admission.admit(true) : Admission.refuse(reply.get(1).toLong(), true);
  }

  private Future<Admission> admitLocally(String endpointId, long tokens) {
    fallbacks.incrementAndGet();
    return state.get().fallback().tryAdmit(endpointId, tokens).map(Admission::inexact);
  }

  private void correctLocally(String endpointId, long tokenDelta) {
    fallbacks.incrementAndGet();
    state.get().fallback().correct(endpointId, tokenDelta);
  }

  private Future<String> loadScript() {
    return redis.send(LimitScript.load()).timeout(startTimeoutMillis(), TimeUnit.MILLISECONDS).map(reply -> {
      scriptSha = reply.toString();
      return scriptSha;
    });
  }

  private void degrade(Throwable err) {
    lastError = describe(err);
    if (switchMode(LimiterStatus.Mode.REDIS, LimiterStatus.Mode.DEGRADED)) {
      LOG.warn("Redis rate limiting degraded to local fair shares: {}", lastError);
      startProbe();
    }
  }

  private void startProbe() {
    if (closed) {
      return;
    }
    long id = vertx.setPeriodic(probeIntervalMillis, t -> probe());
    if (!probeTimer.compareAndSet(-1, id)) {
      vertx.cancelTimer(id);
    }
  }

  private void cancelProbe() {
    long id = probeTimer.getAndSet(-1);
    if (id != -1) {
      vertx.cancelTimer(id);
    }
  }

  private void probe() {
    if (closed || !probing.compareAndSet(false, true)) {
      return;
    }
    send(Request.cmd(Command.PING))
        .compose(pong -> loadScript())
        .onComplete(ar -> {
          probing.set(false);
          if (ar.failed()) {
            lastError = describe(ar.cause());
          } else {
            cancelProbe();
            switchMode(LimiterStatus.Mode.DEGRADED, LimiterStatus.Mode.REDIS);
            LOG.info("Redis rate limiting resumed exact counting");
          }
        });
  }

  /** Moves from {@code from} to {@code to}; false when the mode was not {@code from}. */
  private boolean switchMode(LimiterStatus.Mode from, LimiterStatus.Mode to) {
    State current;
    do {
      current = state.get();
      if (current.mode() != from) {
        return false;
      }
    } while (!state.compareAndSet(current, current.withMode(to)));
    return true;
  }

  private static String describe(Throwable err) {
    String message = err.getMessage();
    return err.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
