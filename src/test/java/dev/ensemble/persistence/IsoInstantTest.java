package dev.ensemble.persistence;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The stored record's times are written as {@link Instant#toString()} writes them, for every instant. */
class IsoInstantTest {

  private static void assertAsToString(Instant t) {
    assertEquals(t.toString(), IsoInstant.format(t), () -> "epoch second " + t.getEpochSecond() + ", nano " + t.getNano());
  }

  @Test
  void isInstantToStringForRandomInstantsAndEveryPrecision() {
    Random random = new Random(14);
    for (int i = 0; i < 200_000; i++) {
      long seconds = switch (i % 4) {
        case 0 -> 1_764_930_000L + random.nextInt(400_000_000); // now and the next dozen years
        case 1 -> Math.floorMod(random.nextLong(), 253_402_300_800L); // 1970 to 9999
        case 2 -> random.nextLong(-62_167_219_200L, 400_000_000_000L); // year 0 to beyond 9999: toString's own
        default -> Math.floorMod(random.nextLong(), 86_400L * 366 * 3) + 946_684_800L - 86_400L; // leap years around 2000
      };
      int nano = switch (random.nextInt(5)) {
        case 0 -> 0;
        case 1 -> random.nextInt(1_000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      assertAsToString(Instant.ofEpochSecond(seconds, nano));
    }
  }

  @Test
  void isInstantToStringAtTheEdges() {
    for (String at : new String[] {"1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000001Z", "1969-12-31T23:59:59.999999999Z",
        "2000-02-29T12:00:00.100Z", "2024-02-29T23:59:59.999999Z", "2100-03-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
        "+10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"}) {
      assertAsToString(Instant.parse(at));
    }
    assertAsToString(Instant.now());
    assertAsToString(Instant.MAX);
    assertAsToString(Instant.MIN);
  }
}
