package dev.ensemble.testing.gateway;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The epoch-millis clock a test node's routing and pools read ({@link GatewayExtension#withClock}): the system's
 * time plus an offset the test moves forward, so a 30-second cooldown can end without waiting 30 seconds.
 * Read from any thread.
 */
public final class MovableClock implements LongSupplier {

  private final AtomicLong offsetMillis = new AtomicLong();

  @Override
  public long getAsLong() {
    return System.currentTimeMillis() + offsetMillis.get();
  }

  /** Moves the clock {@code millis} forward. */
  public void advance(long millis) {
    offsetMillis.addAndGet(millis);
  }
}
