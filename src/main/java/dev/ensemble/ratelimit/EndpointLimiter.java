package dev.ensemble.ratelimit;

/**
 * The local limits of one endpoint, either possibly absent: requests per minute as an exact sliding 60-second
 * window ({@link SlidingWindowLog}), and tokens (input + output) per minute as a {@link Gcra} token bucket,
 * which takes a variable cost and can be corrected once the real usage is known. Lock-free and safe from any
 * thread.
 *
 * <p>A request is admitted only if both fit, and then takes both; otherwise it takes neither. The tokens are
 * taken first and the request slot last, because only tokens can be given back exactly: when the window
 * refuses (another thread took the last slot in between), the tokens are returned at once. A request limit
 * above {@link SlidingWindowLog#MAX_LIMIT} is enforced as that maximum.
 */
public final class EndpointLimiter {

  private static final long MINUTE = 60_000;

  private final SlidingWindowLog requests;
  private final Gcra tokens;

  public EndpointLimiter(Integer rpmLimit, Integer tpmLimit) {
    this.requests = rpmLimit == null ? null : new SlidingWindowLog(Math.min(rpmLimit, SlidingWindowLog.MAX_LIMIT), MINUTE);
    this.tokens = tpmLimit == null ? null : new Gcra(tpmLimit, MINUTE);
  }

  /** Whether one request of {@code estimatedTokens} fits now (a read; nothing is taken). */
  public boolean hasCapacity(long estimatedTokens, long now) {
    return (requests == null || requests.wouldAdmit(now)) && (tokens == null || tokens.wouldAdmit(estimatedTokens, now));
  }

  /** Takes one request and {@code estimatedTokens} if both fit, else takes nothing. */
  public boolean tryAdmit(long estimatedTokens, long now) {
    if (requests != null && !requests.wouldAdmit(now)) {
      return false;
    }
    if (tokens != null && !tokens.tryAcquire(estimatedTokens, now)) {
      return false;
    }
    if (requests != null && !requests.tryAcquire(now)) {
      giveBackTokens(estimatedTokens, now);
      return false;
    }
    return true;
  }

  /**
   * Returns the tokens of an admission that will not be used (the request itself stays counted: providers
   * count failed requests too).
   */
  public void giveBackTokens(long estimatedTokens, long now) {
    correctTokens(-estimatedTokens, now);
  }

  /** Corrects the token count of an admitted request once its real usage is known. */
  public void correctTokens(long delta, long now) {
    if (tokens != null) {
      tokens.adjust(delta, now);
    }
  }

  /** The larger of the request and token utilisation, 0..1; 0 when the endpoint has no limits. */
  public double utilisation(long now) {
    double r = requests == null ? 0 : (double) requests.used(now) / requests.limit();
    double t = tokens == null ? 0 : tokens.used(now) / tokens.limit();
    return Math.max(r, t);
  }

  /** Tokens counted at {@code now}; 0 without a token limit. */
  double tokensUsed(long now) {
    return tokens == null ? 0 : tokens.used(now);
  }

  /** Milliseconds until a request of {@code estimatedTokens} would fit. */
  public long retryAfterMillis(long estimatedTokens, long now) {
    long r = requests == null ? 0 : requests.retryAfterMillis(now);
    long t = tokens == null ? 0 : tokens.retryAfterMillis(estimatedTokens, now);
    return Math.max(r, t);
  }
}
