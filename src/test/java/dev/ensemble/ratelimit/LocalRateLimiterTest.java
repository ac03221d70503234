package dev.ensemble.ratelimit;

import dev.ensemble.config.RedisConfig;
import dev.ensemble.config.Secret;
import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalRateLimiterTest {

  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);

  @Test
  void endpointsRegisteredAtRunTimeAreLimitedUntilUnregistered() {
    LocalRateLimiter limiter = new LocalRateLimiter(Map.of(), now::get);
    assertTrue(limiter.tryAdmit("added", 10).result().admitted());

    limiter.register("added", new EndpointLimits(1, null));
    assertTrue(limiter.tryAdmit("added", 10).result().admitted());
    assertFalse(limiter.tryAdmit("added", 10).result().admitted());

    limiter.unregister("added");
    assertTrue(limiter.tryAdmit("added", 10).result().admitted());
  }

  @Test
  void answersAtOnceAndAdmitsTheRequestLimitThenSaysWhenToRetry() {
    LocalRateLimiter limiter = new LocalRateLimiter(Map.of("ep", new EndpointLimits(3, null)), now::get);

    for (int i = 0; i < 3; i++) {
      Future<Admission> admission = limiter.tryAdmit("ep", 10);
      assertTrue(admission.isComplete());
      assertEquals(Admission.admit(true), admission.result());
      now.addAndGet(5_000);
    }
    Admission refused = limiter.tryAdmit("ep", 10).result();

    assertFalse(refused.admitted());
    assertEquals(45_000, refused.retryAfterMillis(), "when the first of the three turns a minute old");
    assertTrue(refused.exact());
    now.addAndGet(44_999);
    assertFalse(limiter.tryAdmit("ep", 10).result().admitted());
    now.addAndGet(1);
    assertTrue(limiter.tryAdmit("ep", 10).result().admitted());
    assertFalse(limiter.tryAdmit("ep", 10).result().admitted());
  }

  @Test
  void countsTokensWithCorrections() {
    LocalRateLimiter limiter = new LocalRateLimiter(Map.of("ep", new EndpointLimits(null, 1_000)), now::get);

    assertTrue(limiter.tryAdmit("ep", 700).result().admitted());
    assertFalse(limiter.tryAdmit("ep", 400).result().admitted());
    limiter.correct("ep", -200);
    assertTrue(limiter.tryAdmit("ep", 400).result().admitted());
    assertEquals(0.9, limiter.utilisation("ep"), 1e-6);
    limiter.correct("ep", 100);
    assertFalse(limiter.tryAdmit("ep", 1).result().admitted());
  }

  @Test
  void refusalOnTokensTakesNoRequest() {
    LocalRateLimiter limiter = new LocalRateLimiter(Map.of("ep", new EndpointLimits(2, 100)), now::get);

    assertTrue(limiter.tryAdmit("ep", 100).result().admitted());
    assertFalse(limiter.tryAdmit("ep", 50).result().admitted());

    assertTrue(limiter.tryAdmit("ep", 0).result().admitted());
  }

  @Test
  void admitsEndpointsWithoutLimits() {
    LocalRateLimiter limiter = new LocalRateLimiter(Map.of("free", EndpointLimits.NONE), now::get);

    assertTrue(limiter.tryAdmit("free", Long.MAX_VALUE).result().admitted());
    assertTrue(limiter.tryAdmit("unknown", 1).result().admitted());
    limiter.correct("free", 5);
    assertEquals(0, limiter.utilisation("free"));
  }

  @Test
  void reportsLocalMode() {
    LimiterStatus status = new LocalRateLimiter(Map.of()).status();

    assertEquals(LimiterStatus.Mode.LOCAL, status.mode());
    assertFalse(status.redisReachable());
    assertNull(status.lastError());
    assertEquals("local", status.toJson().getString("mode"));
  }

  @Test
  void fairSharesNeverAddUpToMoreThanTheLimit() {
    assertEquals(new EndpointLimits(33, 333), new EndpointLimits(100, 1_000).shareOf(3));
    assertEquals(new EndpointLimits(1, null), new EndpointLimits(2, null).shareOf(5));
    assertEquals(EndpointLimits.NONE, EndpointLimits.NONE.shareOf(2));
    assertThrows(IllegalArgumentException.class, () -> new EndpointLimits(0, null));
    assertThrows(IllegalArgumentException.class, () -> EndpointLimits.NONE.shareOf(0));
  }

  @Test
  void createsALocalLimiterWithoutRedisAddress() {
    RedisConfig noRedis = new RedisConfig("", "", Secret.EMPTY, 20);

    assertInstanceOf(LocalRateLimiter.class, RateLimiter.create(null, noRedis, Map.of(), 1));
  }
}
