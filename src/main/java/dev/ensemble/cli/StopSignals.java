package dev.ensemble.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import io.vertx.core.Future;

import java.util.function.Function;

/**
 * SIGTERM and SIGINT for a serving node: the first one starts the drain (which ends with the process exiting 0),
 * a second one halts the process at once with 143 (as a kill would). The handlers replace the JVM's, so shutdown
 * hooks do not race the drain; {@code sun.misc.Signal} (module {@code jdk.unsupported}) is on every JDK's class path
 * under {@code java -jar}. Where the JVM refuses a handler (it runs with {@code -Xrs}) a shutdown hook drains instead,
 * bounded by the drain itself, and the JVM's exit code stays its own. The signal count is an atomic: handlers
 * run on the JVM's signal thread.
 */
final class StopSignals {

  private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);
  /** 128 + 15: what a shell reports for a process killed by SIGTERM. */
  static final int STOPPED_AT_ONCE = 143;

  private StopSignals() {
  }

  /** @param drain starts the drain, named by its cause, and returns its end */
  static void install(Function<String, Future<?>> drain) {
    AtomicInteger received = new AtomicInteger();
    boolean handled = handle("TERM", received, drain) & handle("INT", received, drain);
    if (!handled) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          drain.apply("JVM shutdown").toCompletionStage().toCompletableFuture().join();
        } catch (RuntimeException e) {
          LOG.error("drain failed: {}", e.toString());
        }
      }, "ensemble-drain"));
    }
  }

  @SuppressWarnings("restriction")
  private static boolean handle(String name, AtomicInteger received, Function<String, Future<?>> drain) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
        if (received.incrementAndGet() == 1) {
          drain.apply("SIG" + name);
        } else {
          LOG.warn("SIG{} during the drain: stopping at once", name);
          Runtime.getRuntime().halt(STOPPED_AT_ONCE);
        }
      });
      return true;
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.warn("cannot handle SIG{} ({}); a shutdown hook drains instead", name, e.getMessage());
      return false;
    }
  }
}
