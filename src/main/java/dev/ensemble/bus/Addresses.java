package dev.ensemble.bus;

/** Every event-bus address Ensemble uses, built in one place so none is written inline. */
public final class Addresses {

  /** Published after every request: {@link dev.ensemble.routing.UsageReport}; the router learns endpoint load from it. */
  public static final String ROUTING_USAGE = "ensemble.routing.usage";

  private Addresses() {
  }

  /** Published after every upstream attempt on {@code provider}: {@link dev.ensemble.pools.AttemptOutcome}. */
  public static String poolOutcome(String provider) {
    return "ensemble.pool." + provider + ".outcome";
  }

  /** Request-reply: the pool of {@code provider} answers with its endpoints' health as JSON. */
  public static String poolStatus(String provider) {
    return "ensemble.pool." + provider + ".status";
  }
}
