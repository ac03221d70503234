package dev.ensemble.bench.hop;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * CPU per HTTP/2 stream of an idle-connection check on a Netty event loop that has {@code pending} other connections'
 * checks scheduled: {@code timer} cancels the connection's idle timer when a stream opens and schedules a new one when
 * it ends (what {@code Http2IdleGuard} did before 2026-12-06), {@code lazy} only notes whether the connection is idle
 * and since when, with at most one check scheduled per connection (what it does now). Rounds alternate; the figure is
 * ns of the loop thread's CPU per stream.
 *
 * <p>Usage: {@code taskset -c 0 java -cp <classes>:<ensemble.jar> dev.ensemble.bench.hop.IdleCheckCost [n] [pending] [rounds]}.
 */
public final class IdleCheckCost {

  private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(75);

  private final EventLoop loop;
  private ScheduledFuture<?> timer;
  private boolean idle;
  private long idleSinceNanos;
  private ScheduledFuture<?> check;

  private IdleCheckCost(EventLoop loop) {
    this.loop = loop;
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int pending = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 6;
    EventLoop loop = new DefaultEventLoop();
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long sink = loop.submit(() -> {
      for (int i = 0; i < pending; i++) {
        loop.schedule(() -> { }, IDLE_NANOS + i, TimeUnit.NANOSECONDS);
      }
      long total = 0;
      for (int round = 1; round <= rounds; round++) {
        StringBuilder line = new StringBuilder("round " + round + ":");
        for (String variant : new String[] {"timer", "lazy"}) {
          IdleCheckCost connection = new IdleCheckCost(loop);
          long start = cpu.getCurrentThreadCpuTime();
          for (int i = 0; i < n; i++) {
            if (variant.equals("timer")) {
              connection.timerStreamOpened();
              connection.timerStreamClosed();
            } else {
              connection.lazyStreamOpened();
              connection.lazyStreamClosed();
            }
          }
          long ns = cpu.getCurrentThreadCpuTime() - start;
          total += connection.idleSinceNanos;
          if (connection.timer != null) {
            connection.timer.cancel(false);
          }
          if (connection.check != null) {
            connection.check.cancel(false);
          }
          line.append(String.format(" %s %.1f ns", variant, (double) ns / n));
        }
        System.out.println(line);
      }
      return total;
    }).get();
    System.out.println("(sink " + sink + ")");
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private void timerStreamOpened() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void timerStreamClosed() {
    timerStreamOpened();
    timer = loop.schedule(() -> { }, IDLE_NANOS, TimeUnit.NANOSECONDS);
  }

  private void lazyStreamOpened() {
    idle = false;
  }

  private void lazyStreamClosed() {
    idle = true;
    idleSinceNanos = System.nanoTime();
    if (check == null) {
      check = loop.schedule(() -> { }, IDLE_NANOS, TimeUnit.NANOSECONDS);
    }
  }
}
