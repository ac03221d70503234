package dev.ensemble.ratelimit;

import dev.ensemble.config.RedisConfig;
import dev.ensemble.config.Secret;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two "nodes" (two Vert.x instances, each with its own {@link RedisRateLimiter}) sharing one real
 * redis-server.
 */
@ExtendWith(VertxExtension.class)
class RedisRateLimiterTest {

  @RegisterExtension
  static final RedisServerExtension REDIS = new RedisServerExtension();

  private static final long PROBE_MILLIS = 100;
  /** Keeps the single-threaded server busy for 600 ms (portable, unlike DEBUG SLEEP, off by default in Redis 7). */
  private static final String BUSY_2_S = """
      local function now() local t = redis.call('TIME') return t[1] * 1000000 + t[2] end
      local start = now()
      while now() - start < 2000000 do end
      return 1
      """;

  private Vertx nodeA;
  private Vertx nodeB;
  private final List<RedisRateLimiter> limiters = new ArrayList<>();

  @BeforeEach
  void startNodes() {
    nodeA = Vertx.vertx();
    nodeB = Vertx.vertx();
  }

  @AfterEach
  void stopNodes() {
    limiters.forEach(l -> await(l.close().recover(err -> Future.succeededFuture())));
    await(Future.all(nodeA.close(), nodeB.close()));
  }

  @Test
  void twoNodesAdmitExactlyTheSharedLimit() {
    Map<String, EndpointLimits> limits = Map.of("shared", new EndpointLimits(100, null));
    RedisRateLimiter a = limiter(nodeA, limits, 2);
    RedisRateLimiter b = limiter(nodeB, limits, 2);

    long start = System.nanoTime();
    List<Admission> results = await(Future.all(fire(a, "shared", 150, 0), fire(b, "shared", 150, 0))
        .map(all -> concat(all.resultAt(0), all.resultAt(1))));
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertEquals(300, results.size());
    assertEquals(100, results.stream().filter(Admission::admitted).count(),
        "a burst admits exactly the limit, however long it takes; took " + elapsedMillis + " ms");
    assertTrue(results.stream().allMatch(Admission::exact));
    assertEquals(LimiterStatus.Mode.REDIS, a.status().mode());
    assertEquals(0, a.status().fallbacks() + b.status().fallbacks());
  }

  @Test
  void countsVariableTokenCostsAndCorrectionsAcrossNodes() {
    Map<String, EndpointLimits> limits = Map.of("corrected", new EndpointLimits(null, 1_000));
    RedisRateLimiter a = limiter(nodeA, limits, 2);
    RedisRateLimiter b = limiter(nodeB, limits, 2);

    assertTrue(await(a.tryAdmit("corrected", 400)).admitted());
    assertTrue(await(b.tryAdmit("corrected", 500)).admitted());
    assertFalse(await(a.tryAdmit("corrected", 200)).admitted(), "900 used, 200 more would exceed 1000");

    await(b.applyCorrection("corrected", -300));

    assertTrue(await(a.tryAdmit("corrected", 200)).admitted(), "600 used after the correction");
    assertFalse(await(b.tryAdmit("corrected", 300)).admitted(), "800 used");
    await(a.applyCorrection("corrected", 150));
    assertFalse(await(b.tryAdmit("corrected", 100)).admitted(), "950 used after an upward correction");
    assertTrue(await(b.tryAdmit("corrected", 50)).admitted());
  }

  @Test
  void takesRequestAndTokensTogetherOrNeither() {
    Map<String, EndpointLimits> limits = Map.of("both", new EndpointLimits(5, 1_000));
    RedisRateLimiter a = limiter(nodeA, limits, 1);

    assertTrue(await(a.tryAdmit("both", 900)).admitted());
    for (int i = 0; i < 5; i++) {
      assertFalse(await(a.tryAdmit("both", 200)).admitted());
    }

    long admittedWithoutTokens = await(fire(a, "both", 10, 0)).stream().filter(Admission::admitted).count();

    assertEquals(4, admittedWithoutTokens, "refusals on tokens must not have taken requests");
  }

  @Test
  void saysWhenCapacityReturns() {
    Map<String, EndpointLimits> limits = Map.of("retry-rpm", rpm(100), "retry-tpm", new EndpointLimits(null, 6_000));
    RedisRateLimiter a = limiter(nodeA, limits, 1);
    await(fire(a, "retry-rpm", 100, 0));
    await(a.tryAdmit("retry-tpm", 6_000));

    Admission request = await(a.tryAdmit("retry-rpm", 0));
    Admission tokens = await(a.tryAdmit("retry-tpm", 1_200));

    assertFalse(request.admitted());
    assertTrue(request.retryAfterMillis() > 50_000 && request.retryAfterMillis() <= 60_000,
        "when the first of the 100 turns a minute old: " + request.retryAfterMillis());
    assertFalse(tokens.admitted());
    assertTrue(tokens.retryAfterMillis() > 11_000 && tokens.retryAfterMillis() <= 12_000,
        "1200 tokens at 100/s: " + tokens.retryAfterMillis());
  }

  @Test
  void keysAreHashTaggedAndExpireWhenIdle() {
    Map<String, EndpointLimits> limits = Map.of("keys", new EndpointLimits(100, 6_000));
    RedisRateLimiter a = limiter(nodeA, limits, 1);
    await(a.tryAdmit("keys", 600));
    Redis raw = Redis.createClient(nodeA, REDIS.address());

    long rpmTtl = await(raw.send(Request.cmd(Command.PTTL).arg("ensemble:rl:{keys}:rpm"))).toLong();
    long tpmTtl = await(raw.send(Request.cmd(Command.PTTL).arg("ensemble:rl:{keys}:tpm"))).toLong();

    assertTrue(rpmTtl > 50_000 && rpmTtl <= 60_000, "the request log is empty a minute after its last request: " + rpmTtl);
    assertEquals("zset", await(raw.send(Request.cmd(Command.TYPE).arg("ensemble:rl:{keys}:rpm"))).toString());
    assertTrue(tpmTtl > 5_000 && tpmTtl <= 6_000, "600 of 6000/min is idle again after 6 s: " + tpmTtl);
    await(raw.close());
  }

  @Test
  void requestsAreAnExactSlidingWindowOnTheServerClock() {
    Map<String, EndpointLimits> limits = Map.of("sliding", rpm(3));
    RedisRateLimiter a = limiter(nodeA, limits, 1);
    RedisRateLimiter b = limiter(nodeB, limits, 1);
    Redis raw = Redis.createClient(nodeA, REDIS.address());
    Response time = await(raw.send(Request.cmd(Command.TIME)));
    long nowMicros = time.get(0).toLong() * 1_000_000 + time.get(1).toLong();
    String key = "ensemble:rl:{sliding}:rpm";
    await(raw.send(Request.cmd(Command.ZADD).arg(key).arg(nowMicros - 61_000_000).arg("aged-out")));
    await(raw.send(Request.cmd(Command.ZADD).arg(key).arg(nowMicros - 30_000_000).arg("thirty-seconds-ago")));

    assertTrue(await(a.tryAdmit("sliding", 0)).admitted(), "the 61 s old request is out of the window");
    assertTrue(await(b.tryAdmit("sliding", 0)).admitted());
    Admission refused = await(a.tryAdmit("sliding", 0));

    assertFalse(refused.admitted(), "3 requests in the last 60 s");
    assertTrue(refused.retryAfterMillis() > 25_000 && refused.retryAfterMillis() <= 30_000,
        "when the 30 s old request ages out: " + refused.retryAfterMillis());
    assertEquals(3, await(raw.send(Request.cmd(Command.ZCARD).arg(key))).toLong());
    await(raw.close());
  }

  @Test
  void replacesARequestKeyOfAnEarlierFormat() {
    Map<String, EndpointLimits> limits = Map.of("legacy", rpm(2));
    RedisRateLimiter a = limiter(nodeA, limits, 1);
    Redis raw = Redis.createClient(nodeA, REDIS.address());
    await(raw.send(Request.cmd(Command.SET).arg("ensemble:rl:{legacy}:rpm").arg("1800000000000000.000")));

    List<Admission> results = await(fire(a, "legacy", 3, 0));

    assertEquals(2, results.stream().filter(Admission::admitted).count());
    assertEquals(LimiterStatus.Mode.REDIS, a.status().mode());
    await(raw.close());
  }

  @Test
  void reloadsTheScriptWhenRedisForgotIt() {
    Map<String, EndpointLimits> limits = Map.of("noscript", rpm(2));
    RedisRateLimiter a = limiter(nodeA, limits, 1);
    Redis raw = Redis.createClient(nodeA, REDIS.address());
    await(raw.send(Request.cmd(Command.SCRIPT).arg("FLUSH")));

    List<Admission> results = await(fire(a, "noscript", 3, 0));

    assertEquals(2, results.stream().filter(Admission::admitted).count());
    assertTrue(results.stream().allMatch(Admission::exact));
    assertEquals(LimiterStatus.Mode.REDIS, a.status().mode());
    await(raw.close());
  }

  @Test
  void keepsAdmittingOnLocalFairSharesWhileRedisIsDownAndResumesExactCounting() {
    Map<String, EndpointLimits> limits =
        Map.of("before", rpm(100), "during", rpm(100), "after", rpm(100));
    RedisRateLimiter a = limiter(nodeA, limits, 2);
    RedisRateLimiter b = limiter(nodeB, limits, 2);
    warmUp(a, b);
    assertTrue(await(a.tryAdmit("before", 0)).exact());

    REDIS.stop();
    List<Admission> onA = await(fire(a, "during", 100, 0));
    List<Admission> onB = await(fire(b, "during", 100, 0));

    assertEquals(50, onA.stream().filter(Admission::admitted).count(), "node A's fair share");
    assertEquals(50, onB.stream().filter(Admission::admitted).count(), "node B's fair share");
    assertTrue(onA.stream().noneMatch(Admission::exact));
    LimiterStatus degraded = a.status();
    assertEquals(LimiterStatus.Mode.DEGRADED, degraded.mode());
    assertFalse(degraded.redisReachable());
    assertNotNull(degraded.lastError());
    assertTrue(degraded.fallbacks() >= 100);
    assertEquals("degraded", degraded.toJson().getString("mode"));

    REDIS.restart();
    await(until(nodeA, () -> a.status().mode() == LimiterStatus.Mode.REDIS
        && b.status().mode() == LimiterStatus.Mode.REDIS));
    warmUp(a, b);
    List<Admission> after = await(Future.all(fire(a, "after", 150, 0), fire(b, "after", 150, 0))
        .map(all -> concat(all.resultAt(0), all.resultAt(1))));

    assertEquals(100, after.stream().filter(Admission::admitted).count());
    assertTrue(after.stream().allMatch(Admission::exact));
    assertTrue(a.status().redisReachable());
  }

  @Test
  void decidesLocallyWhenRedisAnswersTooSlowly() {
    Map<String, EndpointLimits> limits = Map.of("slow", rpm(10));
    RedisRateLimiter a = limiter(nodeA, limits, 2, 250);
    Redis raw = Redis.createClient(nodeB, REDIS.address());
    await(raw.send(Request.cmd(Command.PING)));

    Future<Response> sleeping = raw.send(Request.cmd(Command.EVAL).arg(BUSY_2_S).arg(0));
    long start = System.nanoTime();
    Admission admission = await(nodeA.timer(50).compose(t -> a.tryAdmit("slow", 0)));
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertTrue(admission.admitted());
    assertFalse(admission.exact());
    // Redis answers after 2 s; the 250 ms reply timeout decides well before (margin for a loaded machine)
    assertTrue(waitedMillis < 1_500, "decided after the reply timeout, not after Redis: " + waitedMillis);
    assertEquals(LimiterStatus.Mode.DEGRADED, a.status().mode());
    await(sleeping);
    await(until(nodeA, () -> a.status().mode() == LimiterStatus.Mode.REDIS));
    assertTrue(await(a.tryAdmit("slow", 0)).exact());
    await(raw.close());
  }

  @Test
  void startsDegradedWhenRedisIsUnreachable() {
    int deadPort = REDIS.port();
    REDIS.stop();
    RedisConfig config = new RedisConfig("redis://127.0.0.1:" + deadPort, "", Secret.EMPTY, 4);
    RedisRateLimiter a = new RedisRateLimiter(nodeA, config, Map.of("x", rpm(10)), 1, 250, PROBE_MILLIS);
    limiters.add(a);
    await(a.start());

    List<Admission> results = await(fire(a, "x", 12, 0));

    assertEquals(LimiterStatus.Mode.DEGRADED, a.status().mode());
    assertEquals(10, results.stream().filter(Admission::admitted).count());
    REDIS.restart();
    await(until(nodeA, () -> a.status().mode() == LimiterStatus.Mode.REDIS));
  }

  @Test
  void anEndpointRegisteredWhileTheSharesAreResizedKeepsItsLimitWhileRedisIsDown() {
    int deadPort = REDIS.port();
    REDIS.stop();
    RedisConfig config = new RedisConfig("redis://127.0.0.1:" + deadPort, "", Secret.EMPTY, 4);
    AtomicReference<RedisRateLimiter> limiter = new AtomicReference<>();
    AtomicBoolean interleave = new AtomicBoolean();
    RedisRateLimiter a = new RedisRateLimiter(nodeA, config, Map.of(), 1, 250, PROBE_MILLIS, shares -> {
      if (interleave.compareAndSet(true, false)) {
        // another thread registers an endpoint after the resize read the endpoints, before it published its fallback
        limiter.get().register("late", rpm(2));
      }
      return new LocalRateLimiter(shares);
    });
    limiter.set(a);
    limiters.add(a);
    await(a.start());

    interleave.set(true);
    a.updateNodes(1);
    List<Admission> results = await(fire(a, "late", 5, 0));

    assertFalse(interleave.get(), "the registration ran inside the resize");
    assertEquals(LimiterStatus.Mode.DEGRADED, a.status().mode());
    assertEquals(2, results.stream().filter(Admission::admitted).count(), "the late endpoint keeps its limit of 2 in the fallback");
    REDIS.restart();
    await(until(nodeA, () -> a.status().mode() == LimiterStatus.Mode.REDIS));
  }

  @Test
  void admitsUnlimitedEndpointsWithoutAskingRedis() {
    RedisRateLimiter a = limiter(nodeA, Map.of("free", EndpointLimits.NONE), 1);
    REDIS.stop();

    Admission admission = await(a.tryAdmit("free", 1_000_000));
    Admission unknown = await(a.tryAdmit("not-registered", 1));

    assertTrue(admission.admitted() && admission.exact());
    assertTrue(unknown.admitted());
    assertEquals(LimiterStatus.Mode.REDIS, a.status().mode());
  }

  private RedisRateLimiter limiter(Vertx vertx, Map<String, EndpointLimits> limits, int nodes) {
    return limiter(vertx, limits, nodes, RedisRateLimiter.DEFAULT_REPLY_TIMEOUT_MILLIS);
  }

  private RedisRateLimiter limiter(Vertx vertx, Map<String, EndpointLimits> limits, int nodes, long replyTimeoutMillis) {
    RedisConfig config = new RedisConfig(REDIS.address(), "", Secret.EMPTY, 8);
    Map<String, EndpointLimits> withWarmUp = new HashMap<>(limits);
    withWarmUp.put("warm", rpm(1_000_000));
    RedisRateLimiter limiter = new RedisRateLimiter(vertx, config, withWarmUp, nodes, replyTimeoutMillis, PROBE_MILLIS);
    limiters.add(limiter);
    await(limiter.start());
    warmUp(limiter, limiter);
    return limiter;
  }

  /** Opens the pooled connections, so that a burst measures admissions rather than connection set-up. */
  private void warmUp(RedisRateLimiter a, RedisRateLimiter b) {
    await(Future.all(fire(a, "warm", 16, 0), fire(b, "warm", 16, 0)));
    await(until(nodeA, () -> a.status().mode() == LimiterStatus.Mode.REDIS
        && b.status().mode() == LimiterStatus.Mode.REDIS));
  }

  private static EndpointLimits rpm(int limit) {
    return new EndpointLimits(limit, null);
  }

  private static Future<List<Admission>> fire(RateLimiter limiter, String endpoint, int count, long tokens) {
    List<Future<Admission>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      calls.add(limiter.tryAdmit(endpoint, tokens));
    }
    return Future.all(calls).map(all -> all.list());
  }

  private static List<Admission> concat(List<Admission> first, List<Admission> second) {
    List<Admission> all = new ArrayList<>(first);
    all.addAll(second);
    return all;
  }

  /**
   * Completes when {@code condition} holds, checking now and then every 20 ms on one-shot timers (the checks end with the
   * node's Vert.x). Not a periodic timer cancelled from its own first run: on a loaded machine that run can come before
   * Vert.x has stored the timer, cancelling it throws, and the future never completed.
   */
  private static Future<Void> until(Vertx vertx, BooleanSupplier condition) {
    Promise<Void> done = Promise.promise();
    check(vertx, condition, done);
    return done.future();
  }

  private static void check(Vertx vertx, BooleanSupplier condition, Promise<Void> done) {
    if (condition.getAsBoolean()) {
      done.complete();
    } else {
      vertx.setTimer(20, t -> check(vertx, condition, done));
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }
}
