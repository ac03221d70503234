package dev.ensemble.cache;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ThresholdTunerTest {

  /** Vectors chosen by hand: p1/p2 are 0.95 apart, p3 is 0.92 from p1 with another answer. */
  private static final Map<String, float[]> V = Map.of(
      "reset my password", unit(1, 0),
      "reset the password", unit(0.95, Math.sqrt(1 - 0.95 * 0.95)),
      "reset my passcode", unit(0.92, -Math.sqrt(1 - 0.92 * 0.92)),
      "A", unit(1, 0), "B", unit(0, 1));

  private static float[] unit(double x, double y) {
    return new float[] {(float) x, (float) y};
  }

  @Test
  void countsHitsAndDisagreementsPerThreshold() {
    List<ThresholdTuner.TraceRequest> trace = List.of(
        new ThresholdTuner.TraceRequest("", "reset my password", "A"),
        new ThresholdTuner.TraceRequest("", "reset the password", "A"),
        new ThresholdTuner.TraceRequest("", "reset my passcode", "B"),
        new ThresholdTuner.TraceRequest("", "reset my password", "A"));

    List<ThresholdTuner.Row> rows = ThresholdTuner.tune(trace, V::get);

    ThresholdTuner.Row at90 = rows.get(0);
    assertEquals(0.90, at90.threshold(), 1e-9);
    assertEquals(3, at90.hits());
    assertEquals(1, at90.disagreements(), "the passcode question got the password answer");
    ThresholdTuner.Row at94 = rows.get(4);
    assertEquals(2, at94.hits());
    assertEquals(0, at94.disagreements());
    ThresholdTuner.Row at98 = rows.get(8);
    assertEquals(1, at98.hits());
    assertEquals(1, at98.exactHits());
  }
}
