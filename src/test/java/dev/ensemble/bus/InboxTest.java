package dev.ensemble.bus;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A verticle's inbox hands what other event loops offer to its consumer on the consumer's own context, in the order
 * offered whatever the wake each asked for, and an ordinary offer wakes the consumer only once the offering task is over.
 */
@ExtendWith(VertxExtension.class)
class InboxTest {

  private static Inbox<Integer> attached(Context owner, List<Integer> taken, List<Boolean> onOwner) {
    Inbox<Integer> inbox = new Inbox<>("test");
    owner.runOnContext(v -> inbox.attach(owner, item -> {
      taken.add(item);
      onOwner.add(Vertx.currentContext() == owner);
    }));
    return inbox;
  }

  @Test
  void itemsReachTheConsumerOnItsContextInTheOrderOfferedWhateverTheirWake(Vertx vertx, VertxTestContext test) {
    Context owner = vertx.getOrCreateContext();
    Context sender = vertx.getOrCreateContext();
    List<Integer> taken = new CopyOnWriteArrayList<>();
    List<Boolean> onOwner = new CopyOnWriteArrayList<>();
    Inbox<Integer> inbox = attached(owner, taken, onOwner);
    owner.runOnContext(ready -> sender.runOnContext(v -> {
      inbox.offer(1);
      inbox.offerNow(2);
      inbox.offerLater(3);
      inbox.offer(4);
      inbox.settle().onComplete(test.succeeding(done -> test.verify(() -> {
        assertEquals(List.of(1, 2, 3, 4), taken);
        assertFalse(onOwner.contains(false), "every item was taken on the owner's context");
        test.completeNow();
      })));
    }));
  }

  @Test
  void anOfferWakesTheConsumerOnlyOnceTheOfferingTaskIsOver(Vertx vertx, VertxTestContext test) {
    Context owner = vertx.getOrCreateContext();
    Context sender = vertx.getOrCreateContext();
    Promise<Integer> arrived = Promise.promise();
    Inbox<Integer> inbox = new Inbox<>("test");
    owner.runOnContext(ready -> {
      inbox.attach(owner, arrived::complete);
      sender.runOnContext(v -> {
        inbox.offer(7);
        test.verify(() -> assertFalse(inbox.isEmpty(), "nothing took it in during the offering task"));
      });
    });
    arrived.future().onComplete(test.succeeding(item -> test.verify(() -> {
      assertEquals(7, item, "woken after the task, without anyone draining");
      assertTrue(inbox.isEmpty());
      test.completeNow();
    })));
  }

  @Test
  void anItemOfferedLaterWaitsForTheConsumersNextDrain(Vertx vertx, VertxTestContext test) {
    Context owner = vertx.getOrCreateContext();
    Context sender = vertx.getOrCreateContext();
    List<Integer> taken = new CopyOnWriteArrayList<>();
    List<Boolean> onOwner = new CopyOnWriteArrayList<>();
    Inbox<Integer> inbox = attached(owner, taken, onOwner);
    owner.runOnContext(ready -> sender.runOnContext(v -> {
      inbox.offerLater(5);
      sender.runOnContext(next -> {
        test.verify(() -> assertFalse(inbox.isEmpty(), "no wake of its own"));
        owner.runOnContext(drain -> {
          inbox.drain();
          test.verify(() -> assertEquals(List.of(5), taken));
          test.completeNow();
        });
      });
    }));
  }
}
