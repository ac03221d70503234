package dev.ensemble.ratelimit;

import io.vertx.core.json.JsonObject;

import java.util.Locale;

/**
 * What a rate limiter reports to {@code /admin/status} and {@code /metrics}.
 *
 * @param mode           where admissions are counted right now
 * @param redisReachable whether the last Redis call or probe succeeded; false without Redis
 * @param lastError      the last Redis failure, or null
 * @param fallbacks      admissions (and corrections) decided locally because Redis failed or was down
 */
public record LimiterStatus(Mode mode, boolean redisReachable, String lastError, long fallbacks) {

  /** Where admissions are counted. */
  public enum Mode {
    /** In process only: no Redis is configured. */
    LOCAL,
    /** Exactly, across nodes, in Redis. */
    REDIS,
    /** Redis is configured but failing: each node counts its fair share locally until Redis answers again. */
    DEGRADED;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("mode", mode.wireName())
        .put("redis_reachable", redisReachable)
        .put("last_error", lastError)
        .put("fallbacks", fallbacks);
  }
}
