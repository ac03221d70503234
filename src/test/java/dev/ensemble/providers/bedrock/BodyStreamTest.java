package dev.ensemble.providers.bedrock;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.reactivestreams.Subscription;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class BodyStreamTest {

  /** A subscription that only counts what was requested and whether it was cancelled. */
  private static final class Counting implements Subscription {
    final AtomicLong requested = new AtomicLong();
    volatile boolean cancelled;

    @Override
    public void request(long n) {
      requested.addAndGet(n);
    }

    @Override
    public void cancel() {
      cancelled = true;
    }
  }

  @Test
  void requestsNothingUntilTheReaderHasDemandAndNeverMoreThanThePrefetch(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      BodyStream body = new BodyStream(context, 4, t -> null);
      Counting subscription = new Counting();
      List<String> seen = new ArrayList<>();
      body.handler(b -> seen.add(b.toString()));
      body.onSubscribe(subscription);
      context.runOnContext(v1 -> test.verify(() -> {
        assertEquals(0, subscription.requested.get());
        body.fetch(1);
        assertEquals(4, subscription.requested.get());
        body.onNext(Buffer.buffer("a"));
        body.onNext(Buffer.buffer("b"));
        context.runOnContext(v2 -> test.verify(() -> {
          assertEquals(List.of("a"), seen);
          assertEquals(4, subscription.requested.get(), "one delivered, one queued, two in flight: no new request without demand");
          body.fetch(1);
          assertEquals(List.of("a", "b"), seen);
          assertEquals(4, subscription.requested.get(), "the queued item met the demand: still nothing new requested");
          body.fetch(1);
          assertEquals(6, subscription.requested.get(), "demand with an empty queue: refilled up to 4 in flight");
          test.completeNow();
        }));
      }));
    });
  }

  @Test
  void endsAfterTheQueuedItemsAndOnlyWithDemand(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      BodyStream body = new BodyStream(context, 8, t -> null);
      body.onSubscribe(new Counting());
      body.onNext(Buffer.buffer("x"));
      body.onComplete();
      context.runOnContext(v1 -> {
        List<String> seen = new ArrayList<>();
        body.handler(b -> seen.add(b.toString()));
        body.endHandler(end -> test.verify(() -> {
          assertEquals(List.of("x"), seen);
          test.completeNow();
        }));
        body.resume();
      });
    });
  }

  @Test
  void aPublisherErrorBecomesTheLastFrame(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      BodyStream body = new BodyStream(context, 8, t -> Buffer.buffer("error:" + t.getMessage()));
      body.onSubscribe(new Counting());
      body.onNext(Buffer.buffer("x"));
      body.onError(new IllegalStateException("boom"));
      body.onNext(Buffer.buffer("late"));
      context.runOnContext(v1 -> body.collect().onComplete(test.succeeding(all -> test.verify(() -> {
        assertEquals("xerror:boom", all.toString());
        test.completeNow();
      }))));
    });
  }

  @Test
  void aLostConnectionGoesToTheExceptionHandler(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      BodyStream body = new BodyStream(context, 8, t -> null);
      body.onSubscribe(new Counting());
      body.onError(new java.io.IOException("reset"));
      context.runOnContext(v1 -> body.collect().onComplete(test.failing(err -> test.verify(() -> {
        assertEquals("reset", err.getMessage());
        test.completeNow();
      }))));
    });
  }

  @Test
  void cancelCancelsTheSubscriptionAndStopsDelivery(Vertx vertx, VertxTestContext test) {
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      BodyStream body = new BodyStream(context, 8, t -> null);
      Counting subscription = new Counting();
      List<String> seen = new ArrayList<>();
      body.handler(b -> seen.add(b.toString()));
      body.onSubscribe(subscription);
      context.runOnContext(v1 -> {
        body.cancel();
        body.onNext(Buffer.buffer("x"));
        body.resume();
        context.runOnContext(v2 -> test.verify(() -> {
          assertTrue(subscription.cancelled);
          assertTrue(seen.isEmpty());
          test.completeNow();
        }));
      });
    });
  }
}
