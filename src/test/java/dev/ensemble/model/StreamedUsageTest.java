package dev.ensemble.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StreamedUsageTest {

  @Test
  void nothingReportedIsEstimatedFromThePromptAndTheStreamedCharacters() {
    assertEquals(new Usage(100L, 3L, null, null), StreamedUsage.estimate(Usage.UNKNOWN, 100, 9));
    assertEquals(new Usage(100L, 0L, null, null), StreamedUsage.estimate(null, 100, 0));
  }

  @Test
  void everyReportedCountIsKeptAndOnlyTheMissingOnesEstimated() {
    Usage reported = new Usage(1000L, null, 5000L, 2000L);
    assertEquals(new Usage(1000L, 25L, 5000L, 2000L), StreamedUsage.estimate(reported, 7, 100));
  }

  @Test
  void aReportedOutputCountIsKeptWhenNoCharactersAreLeftToEstimate() {
    Usage reported = new Usage(1000L, 3L, null, null, 1L);
    assertEquals(reported, StreamedUsage.estimate(reported, 7, 0));
  }

  @Test
  void aRunningOutputCountSmallerThanTheStreamedTextIsRaisedToTheEstimate() {
    assertEquals(new Usage(1000L, 10L, null, null), StreamedUsage.estimate(new Usage(1000L, 1L, null, null), 7, 40));
  }
}
