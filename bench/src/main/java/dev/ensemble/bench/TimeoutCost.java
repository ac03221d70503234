package dev.ensemble.bench;

import dev.ensemble.loop.LoopDeadlines;
import dev.ensemble.loop.Timeout;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;

/**
 * CPU per request of a non-streamed request's four timeouts (body read 30 s, request deadline 600 s, upstream first
 * byte and body 60 s each), armed and called off on an event loop with {@code inflight} (100) other requests' timeouts
 * pending: as Vert.x timers ({@code setTimer} / {@code cancelTimer}) against {@link LoopDeadlines}, and as a request
 * does it ("late body": the body's timeout armed when the answer comes, see {@link #lateBody}). Rounds of
 * {@code requests} alternate between the two, each one task of the event loop, timed by the loop thread's CPU clock.
 *
 * <p>Usage: {@code taskset -c 0 java -cp <classes>:<gateway jar> dev.ensemble.bench.TimeoutCost [requests] [inflight] [rounds]}
 */
public final class TimeoutCost {

  private static final long[] LENGTHS = {30_000, 600_000, 60_000, 60_000};

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int inflight = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    Vertx vertx = Vertx.vertx();
    Context context = vertx.getOrCreateContext();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    try {
      for (int round = 0; round < rounds; round++) {
        for (String variant : new String[] {"vertx timers", "loop deadlines", "late body"}) {
          CompletableFuture<Double> nsPerRequest = new CompletableFuture<>();
          context.runOnContext(v -> {
            long start = cpu.getCurrentThreadCpuTime();
            if (variant.equals("vertx timers")) {
              vertxTimers(vertx, requests, inflight);
            } else if (variant.equals("loop deadlines")) {
              loopDeadlines(vertx, requests, inflight);
            } else {
              lateBody(vertx, requests, inflight);
            }
            nsPerRequest.complete((cpu.getCurrentThreadCpuTime() - start) / (double) requests);
          });
          System.out.printf("round %d  %-15s %7.1f ns per request (4 timeouts)%n", round, variant, nsPerRequest.get());
        }
      }
    } finally {
      vertx.close().await();
    }
  }

  private static void vertxTimers(Vertx vertx, int requests, int inflight) {
    long[][] pending = new long[inflight][LENGTHS.length];
    for (int i = 0; i < requests + inflight; i++) {
      long[] slot = pending[i % inflight];
      if (i >= inflight) {
        for (long id : slot) {
          vertx.cancelTimer(id);
        }
      }
      if (i < requests) {
        for (int t = 0; t < LENGTHS.length; t++) {
          slot[t] = vertx.setTimer(LENGTHS[t], id -> { });
        }
      }
    }
  }

  /**
   * What a non-streamed request does on its loop: the body read's timeout armed and called off, the request's deadline
   * and the upstream's first byte armed; {@code inflight} requests later its answer comes, the first byte's timeout is
   * called off and the body's armed for the rest of the provider's 60 s ({@code 60 s − elapsed}, so among the pending
   * first-byte timeouts of the requests that started since), then both are called off.
   */
  private static void lateBody(Vertx vertx, int requests, int inflight) {
    Timeout[][] pending = new Timeout[inflight][2];
    for (int i = 0; i < requests + inflight; i++) {
      Timeout[] slot = pending[i % inflight];
      if (i >= inflight) {
        slot[1].cancel();
        LoopDeadlines.arm(vertx, 60_000, 59_999, v -> { }).cancel();
        slot[0].cancel();
      }
      if (i < requests) {
        LoopDeadlines.arm(vertx, 30_000, v -> { }).cancel();
        slot[0] = LoopDeadlines.arm(vertx, 600_000, v -> { });
        slot[1] = LoopDeadlines.arm(vertx, 60_000, v -> { });
      }
    }
  }

  private static void loopDeadlines(Vertx vertx, int requests, int inflight) {
    Timeout[][] pending = new Timeout[inflight][LENGTHS.length];
    for (int i = 0; i < requests + inflight; i++) {
      Timeout[] slot = pending[i % inflight];
      if (i >= inflight) {
        for (Timeout timeout : slot) {
          timeout.cancel();
        }
      }
      if (i < requests) {
        for (int t = 0; t < LENGTHS.length; t++) {
          slot[t] = LoopDeadlines.arm(vertx, LENGTHS[t], v -> { });
        }
      }
    }
  }
}
