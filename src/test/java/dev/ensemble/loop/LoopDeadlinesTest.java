package dev.ensemble.loop;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The requests' timeouts of an event loop: each fires once, in deadline order, on its own context, unless called off. */
@ExtendWith(VertxExtension.class)
class LoopDeadlinesTest {

  @Test
  void timeoutsOfOneLengthFireInDeadlineOrderOnTheContextThatArmedThem(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    List<Integer> fired = new ArrayList<>();
    context.runOnContext(v -> {
      // one length, armed out of order (part of the time already spent): the earliest still fires first
      for (int delay : new int[] {40, 10, 30, 20}) {
        LoopDeadlines.arm(vertx, 40, delay, t -> {
          test.verify(() -> assertSame(context, Vertx.currentContext()));
          fired.add(delay);
          if (fired.size() == 4) {
            test.verify(() -> assertEquals(List.of(10, 20, 30, 40), fired));
            test.completeNow();
          }
        });
      }
    });
  }

  @Test
  void timeoutsArmedForTheRestOfTheirTimeAmongManyPendingOnesFireInDeadlineOrder(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    List<Integer> fired = new ArrayList<>();
    List<Integer> expected = new ArrayList<>();
    context.runOnContext(v -> {
      // 40 pending timeouts of one length, 25 ms apart (far more than arming them all takes), then some armed with
      // less than the length left (an upstream body's timeout counted from the call's start): near the earliest, near
      // the latest, in between, and tied with pending ones
      List<int[]> armed = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        armed.add(new int[] {1_000 + 25 * i, armed.size()});
      }
      for (int delay : new int[] {1_025, 1_950, 1_000, 1_500, 1_025, 1_975, 975}) {
        armed.add(new int[] {delay, armed.size()});
      }
      // due by delay; of equal delays the one armed first (its deadline is the earlier by the time between them)
      armed.stream().sorted((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]))
          .forEach(timeout -> expected.add(timeout[1]));
      for (int[] timeout : armed) {
        int id = timeout[1];
        LoopDeadlines.arm(vertx, 2_000, timeout[0], t -> {
          fired.add(id);
          if (fired.size() == armed.size()) {
            test.verify(() -> assertEquals(expected, fired));
            test.completeNow();
          }
        });
      }
    });
  }

  @Test
  void aCancelledTimeoutNeverFires(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    List<Integer> fired = new ArrayList<>();
    context.runOnContext(v -> {
      List<Timeout> armed = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        int n = i;
        armed.add(LoopDeadlines.arm(vertx, 5, t -> fired.add(n)));
      }
      for (int i = 0; i < armed.size(); i += 2) {
        armed.get(i).cancel();
        armed.get(i).cancel();
      }
      // the head itself called off too: the check scheduled for it finds nothing due and waits for the next one
      LoopDeadlines.arm(vertx, 50, t -> {
        test.verify(() -> {
          assertEquals(500, fired.size());
          for (int i = 0; i < fired.size(); i++) {
            assertEquals(2 * i + 1, fired.get(i));
          }
        });
        test.completeNow();
      });
    });
  }

  @Test
  void aTimeoutThatFiredCanStillBeCancelledAndItsHandlerCanArmTheNext(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      Timeout[] first = new Timeout[1];
      first[0] = LoopDeadlines.arm(vertx, 5, t -> {
        first[0].cancel();
        LoopDeadlines.arm(vertx, 5, u -> test.completeNow());
      });
    });
  }

  @Test
  void timeoutsOfDifferentLengthsEachFireAtTheirOwnTime(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    List<String> fired = new ArrayList<>();
    context.runOnContext(v -> {
      LoopDeadlines.arm(vertx, 60_000, t -> fired.add("long"));
      LoopDeadlines.arm(vertx, 30, t -> {
        fired.add("short");
        test.verify(() -> assertEquals(List.of("short"), fired));
        test.completeNow();
      });
    });
  }

  @Test
  void offAnEventLoopTheTimeoutIsAVertxTimer(Vertx vertx, VertxTestContext test) {
    Timeout called = LoopDeadlines.arm(vertx, 5, t -> test.failNow("a cancelled timeout fired"));
    called.cancel();
    LoopDeadlines.arm(vertx, 20, t -> {
      test.verify(() -> assertTrue(Context.isOnEventLoopThread()));
      test.completeNow();
    });
  }
}
