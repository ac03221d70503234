package dev.ensemble.cluster;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Usage;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.CachePlan;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerRecordsTest {

  /** Through the wire: encoded to text and parsed again, as the clustered event bus carries a JsonObject. */
  private static JsonObject overTheWire(JsonObject json) {
    return new JsonObject(json.encode());
  }

  @Test
  void aRateLimitedOutcomeSurvivesTheRoundTripWithItsOrigin() {
    AttemptOutcome outcome = new AttemptOutcome("ant", "ant-1", 429, ErrorClass.RATE_LIMITED, "rate_limit_error", 60_000L, 12);

    JsonObject json = overTheWire(PeerRecords.toJson("node-a", outcome));

    assertEquals(outcome, PeerRecords.outcomeFromJson(json));
    assertEquals("node-a", PeerRecords.origin(json));
  }

  @Test
  void aSuccessfulOutcomeWithoutWaitKeepsItsNulls() {
    AttemptOutcome outcome = new AttemptOutcome("oai", "oai-1", 200, null, null, null, 340);

    AttemptOutcome back = PeerRecords.outcomeFromJson(overTheWire(PeerRecords.toJson("n", outcome)));

    assertEquals(outcome, back);
    assertTrue(back.success());
    assertNull(back.retryAfterMillis());
  }

  @Test
  void aUsageReportWithACachePlanSurvivesTheRoundTrip() {
    long[] writes = {Long.MIN_VALUE, -1L, 0x7fff_ffff_ffff_ffffL, 1234567890123L};
    UsageReport report = new UsageReport("req-1", 2, "ant", "ant-2", "claude", new Usage(12L, 40L, 2048L, null),
        new BigDecimal("0.0012345678901234567890"), 200, true, 150, 1_763_800_000_123L, 2_100, new CachePlan(3, 300, writes,
        -42L, 2048));

    UsageReport back = PeerRecords.usageFromJson(overTheWire(PeerRecords.toJson("node-b", report)));

    assertArrayEquals(writes, back.plan().writeHashes());
    assertEquals(report.plan().domain(), back.plan().domain());
    assertEquals(report.plan().ttlSeconds(), back.plan().ttlSeconds());
    assertEquals(report.plan().predictedHash(), back.plan().predictedHash());
    assertEquals(report.plan().predictedTokens(), back.plan().predictedTokens());
    UsageReport withoutPlan = new UsageReport(report.requestId(), report.attempt(), report.provider(), report.endpointId(),
        report.model(), report.usage(), report.costUsd(), report.status(), report.answered(), report.timeToFirstByteMs(),
        report.finishedAtMillis(), report.estimatedTokens(), null);
    assertEquals(withoutPlan, new UsageReport(back.requestId(), back.attempt(), back.provider(), back.endpointId(), back.model(),
        back.usage(), back.costUsd(), back.status(), back.answered(), back.timeToFirstByteMs(), back.finishedAtMillis(),
        back.estimatedTokens(), null));
  }

  @Test
  void aUsageReportWithoutPlanOrCostOrUsageComesBackSo() {
    UsageReport report = new UsageReport("req-2", 1, "oai", null, "gpt", Usage.UNKNOWN, null, 502, false, 0, 5L, 0, null);

    UsageReport back = PeerRecords.usageFromJson(overTheWire(PeerRecords.toJson("n", report)));

    assertEquals(report, back);
    assertFalse(back.usage().isKnown());
  }
}
