package dev.ensemble.persistence;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How long the persistence worker lets answers gather before the next batch (and its WAL sync). */
class GatherWindowTest {

  @Test
  void answersAtAnOrdinaryPaceGatherForFiveMilliseconds() {
    GatherWindow window = new GatherWindow();
    assertEquals(5, window.millis());
    window.taken(1);
    assertEquals(5, window.millis());
    window.taken(GatherWindow.BUSY_ANSWERS - 1);
    assertEquals(5, window.millis());
  }

  @Test
  void aBatchOfManyAnswersMakesTheNextOnesGatherForTwentyMillisecondsUntilABatchHoldsFew() {
    GatherWindow window = new GatherWindow();
    window.taken(GatherWindow.BUSY_ANSWERS);
    assertEquals(20, window.millis());
    window.taken(200);
    assertEquals(20, window.millis());
    window.taken(GatherWindow.BUSY_ANSWERS - 1);
    assertEquals(5, window.millis());
  }
}
