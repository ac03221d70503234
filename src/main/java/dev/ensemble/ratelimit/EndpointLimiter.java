package dev.ensemble.ratelimit;

/**
 * The local limits of one endpoint: requests per minute and tokens (input + output) per minute, each a
 * {@link Gcra}, either possibly absent. Lock-free and safe from any thread.
 */
public final class EndpointLimiter {

  private static final long MINUTE = 60_000;

  private final Gcra requests;
  private final Gcra tokens;

  public EndpointLimiter(Integer rpmLimit, Integer tpmLimit) {
    this.requests = rpmLimit == null ? null : new Gcra(rpmLimit, MINUTE);
    this.tokens = tpmLimit == null ? null : new Gcra(tpmLimit, MINUTE);
  }

  /** Whether one request of {@code estimatedTokens} fits now (a read; nothing is taken). */
  public boolean hasCapacity(long estimatedTokens, long now) {
    return (requests == null || requests.wouldAdmit(1, now)) && (tokens == null || tokens.wouldAdmit(estimatedTokens, now));
  }

  /** Takes one request and {@code estimatedTokens} if both fit, else takes nothing. */
  public boolean tryAdmit(long estimatedTokens, long now) {
    if (requests != null && !requests.tryAcquire(1, now)) {
      return false;
    }
    if (tokens != null && !tokens.tryAcquire(estimatedTokens, now)) {
      if (requests != null) {
        requests.adjust(-1, now);
      }
      return false;
    }
    return true;
  }

  /** Corrects the token count of an admitted request once its real usage is known. */
  public void correctTokens(long delta, long now) {
    if (tokens != null) {
      tokens.adjust(delta, now);
    }
  }

  /** The larger of the request and token utilisation, 0..1; 0 when the endpoint has no limits. */
  public double utilisation(long now) {
    double r = requests == null ? 0 : requests.used(now) / requests.limit();
    double t = tokens == null ? 0 : tokens.used(now) / tokens.limit();
    return Math.max(r, t);
  }

  /** Milliseconds until a request of {@code estimatedTokens} would fit. */
  public long retryAfterMillis(long estimatedTokens, long now) {
    long r = requests == null ? 0 : requests.retryAfterMillis(1, now);
    long t = tokens == null ? 0 : tokens.retryAfterMillis(estimatedTokens, now);
    return Math.max(r, t);
  }
}
