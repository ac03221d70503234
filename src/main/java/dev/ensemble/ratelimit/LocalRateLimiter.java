package dev.ensemble.ratelimit;

import io.vertx.core.Future;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Limits counted in this process: one lock-free {@link EndpointLimiter} per limited endpoint, answered
 * synchronously (the futures are already complete). Exact for one node; with several nodes and no Redis each
 * node counts its own requests.
 */
public final class LocalRateLimiter implements RateLimiter {

  private static final Future<Admission> UNLIMITED = Future.succeededFuture(Admission.admit(true));
  private static final LimiterStatus STATUS = new LimiterStatus(LimiterStatus.Mode.LOCAL, false, null, 0);

  private final Map<String, EndpointLimiter> endpoints = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  public LocalRateLimiter(Map<String, EndpointLimits> limits) {
    this(limits, System::currentTimeMillis);
  }

  public LocalRateLimiter(Map<String, EndpointLimits> limits, LongSupplier clockMillis) {
    this.clock = clockMillis;
    limits.forEach(this::register);
  }

  @Override
  public void register(String endpointId, EndpointLimits limits) {
    if (limits.limited()) {
      endpoints.put(endpointId, new EndpointLimiter(limits.rpm(), limits.tpm()));
    } else {
      endpoints.remove(endpointId);
    }
  }

  @Override
  public void unregister(String endpointId) {
    endpoints.remove(endpointId);
  }

  @Override
  public Future<Admission> tryAdmit(String endpointId, long estimatedTokens) {
    EndpointLimiter limiter = endpoints.get(endpointId);
    if (limiter == null) {
      return UNLIMITED;
    }
    long tokens = Math.max(0, estimatedTokens);
    long now = clock.getAsLong();
    if (limiter.tryAdmit(tokens, now)) {
      return Future.succeededFuture(Admission.admit(true));
    }
    return Future.succeededFuture(Admission.refuse(limiter.retryAfterMillis(tokens, now), true));
  }

  @Override
  public void correct(String endpointId, long tokenDelta) {
    EndpointLimiter limiter = endpoints.get(endpointId);
    if (limiter != null && tokenDelta != 0) {
      limiter.correctTokens(tokenDelta, clock.getAsLong());
    }
  }

  /** The larger of the endpoint's request and token utilisation, 0..1 (0 when unlimited). */
  public double utilisation(String endpointId) {
    EndpointLimiter limiter = endpoints.get(endpointId);
    return limiter == null ? 0 : limiter.utilisation(clock.getAsLong());
  }

  @Override
  public LimiterStatus status() {
    return STATUS;
  }
}
