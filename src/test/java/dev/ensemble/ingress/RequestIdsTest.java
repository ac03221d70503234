package dev.ensemble.ingress;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestIdsTest {

  @Test
  void idsAreUniqueUrlSafeAndOrderedByTime() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = RequestIds.next(1_800_000_000_000L);
      assertTrue(id.matches("[0-9a-z]{26}"), id);
      ids.add(id);
    }
    assertEquals(10_000, ids.size());
    assertTrue(RequestIds.next(1_800_000_000_000L).compareTo(RequestIds.next(1_800_000_000_001L)) < 0);
  }

  @Test
  void theIdPutOnTheResponseIsTheTextTheGatewayKnowsTheRequestBy() {
    io.netty.util.AsciiString onTheWire = RequestIds.nextAscii(1_800_000_000_000L);
    String id = onTheWire.toString();
    assertTrue(id.matches("[0-9a-z]{26}"), id);
    assertTrue(id == onTheWire.toString(), "one String for the id, not one per use");
    assertTrue(onTheWire.contentEquals(id));
  }
}
