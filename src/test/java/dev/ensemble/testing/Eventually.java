package dev.ensemble.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bounded wait for state that another thread, verticle or process applies after the test's last call returned
 * (an outcome the pool verticle applies from the event bus, a ledger row a peer node writes): the condition is checked
 * every 50 ms until it holds, and the test fails naming {@code what} once the bound is over. Returns as soon as the
 * condition holds, so a generous bound costs nothing when the machine is idle.
 */
public final class Eventually {

  /** The bound of {@link #eventually(String, Callable)}. */
  public static final Duration DEFAULT_BOUND = Duration.ofSeconds(10);

  private Eventually() {
  }

  /** Checks {@code condition} every 50 ms for at most {@link #DEFAULT_BOUND}. */
  public static void eventually(String what, Callable<Boolean> condition) throws Exception {
    eventually(what, DEFAULT_BOUND, condition);
  }

  /** Checks {@code condition} every 50 ms for at most {@code bound}. */
  public static void eventually(String what, Duration bound, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + bound.toSeconds() + " s: " + what);
      }
      CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS)).get();
    }
  }
}
