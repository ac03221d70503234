package dev.ensemble.ratelimit;

import dev.ensemble.config.RedisConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;

/**
 * Requests-per-minute and tokens-per-minute limits of the endpoints, registered up front or at run time. Asynchronous,
 * because the cross-node implementation asks Redis; safe to call from any thread or event loop. A request is
 * admitted only if both its request and its estimated tokens fit (or neither is taken); once the response
 * reports its real usage, {@link #correct} settles the difference. Endpoints without limits always admit.
 */
public interface RateLimiter {

  /** Admits one request of {@code estimatedTokens} to {@code endpointId}, or says when to retry. Never fails. */
  Future<Admission> tryAdmit(String endpointId, long estimatedTokens);

  /**
   * Corrects the tokens counted for an admitted request: {@code tokenDelta} = real usage - estimate
   * (negative gives capacity back). Fire and forget.
   */
  void correct(String endpointId, long tokenDelta);

  LimiterStatus status();

  /**
   * Starts counting {@code endpointId} under {@code limits} (an endpoint added at run time); replaces what was
   * registered for it before. Limits without rpm or tpm unregister it.
   */
  void register(String endpointId, EndpointLimits limits);

  /** Stops counting {@code endpointId} (its endpoint was removed); it admits everything from now on. */
  void unregister(String endpointId);

  /** Completes once the limiter can take calls (for Redis: the script is loaded, or degraded mode began). */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /**
   * The limiter the config asks for: {@link RedisRateLimiter} when {@code redis.address} is set, else a
   * {@link LocalRateLimiter}. {@code nodes} is the expected number of gateway nodes sharing the limits.
   */
  static RateLimiter create(Vertx vertx, RedisConfig redis, Map<String, EndpointLimits> limits, int nodes) {
    return redis != null && redis.enabled()
        ? new RedisRateLimiter(vertx, redis, limits, nodes)
        : new LocalRateLimiter(limits);
  }
}
