package dev.ensemble.ingress;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveResponsesTest {

  @Test
  void pastMaxPendingAnAnswerTheClientReceivedIsNotStoredAndCounted() {
    LiveResponses live = new LiveResponses(2);

    assertTrue(live.awaitStore(true));
    assertTrue(live.awaitStore(true));
    assertFalse(live.awaitStore(true));

    assertEquals(2, live.awaitingStore());
    assertEquals(1, live.unstored());
  }

  @Test
  void anAnswerWhoseClientLeftIsStoredEvenPastMaxPending() {
    LiveResponses live = new LiveResponses(1);
    assertTrue(live.awaitStore(true));

    assertTrue(live.awaitStore(false));

    assertEquals(2, live.awaitingStore());
    assertEquals(0, live.unstored());
  }

  @Test
  void aStoredAnswerFreesItsPlace() {
    LiveResponses live = new LiveResponses(1);
    assertTrue(live.awaitStore(true));

    live.stored();

    assertTrue(live.awaitStore(true));
    assertEquals(1, live.awaitingStore());
  }
}
