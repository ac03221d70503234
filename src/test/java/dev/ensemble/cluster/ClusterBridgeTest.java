package dev.ensemble.cluster;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Usage;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.CachePlan;
import dev.ensemble.routing.UsageReport;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterBridgeTest {

  private static AttemptOutcome outcome(int status, ErrorClass errorClass, Long retryAfter) {
    return new AttemptOutcome("ant", "ant-1", status, errorClass, null, retryAfter, 10);
  }

  @Test
  void sharesCooldownsAndRejectedKeysOnly() {
    assertTrue(ClusterBridge.sharesOutcome(outcome(429, ErrorClass.RATE_LIMITED, 5_000L)));
    assertTrue(ClusterBridge.sharesOutcome(outcome(429, ErrorClass.RATE_LIMITED, null)));
    assertTrue(ClusterBridge.sharesOutcome(outcome(401, ErrorClass.KEY_INVALID, null)));
    assertTrue(ClusterBridge.sharesOutcome(outcome(200, null, 30_000L)), "a success that used up the key's capacity");

    assertFalse(ClusterBridge.sharesOutcome(outcome(200, null, null)));
    assertFalse(ClusterBridge.sharesOutcome(outcome(503, ErrorClass.RETRYABLE, null)), "circuits stay per node");
    assertFalse(ClusterBridge.sharesOutcome(outcome(400, ErrorClass.PERMANENT, null)));
  }

  private static UsageReport report(boolean answered, CachePlan plan) {
    return new UsageReport("r", 1, "ant", "ant-1", "claude", new Usage(1L, 1L, 0L, 2000L), null, 200, answered, 5, 1, 10, plan);
  }

  @Test
  void forwardsUsageThatTaughtCacheAffinityOnly() {
    assertTrue(ClusterBridge.teachesAffinity(report(true, new CachePlan(0, 300, new long[] {7L}, 0, 0))));
    assertTrue(ClusterBridge.teachesAffinity(report(true, new CachePlan(0, 300, new long[0], 9L, 2000))));

    assertFalse(ClusterBridge.teachesAffinity(report(true, null)));
    assertFalse(ClusterBridge.teachesAffinity(report(false, new CachePlan(0, 300, new long[] {7L}, 0, 0))));
    assertFalse(ClusterBridge.teachesAffinity(report(true, new CachePlan(0, 300, new long[0], 0, 0))));
  }
}
