package dev.ensemble.providers.bedrock;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * A response body fed by a Reactive Streams publisher and read as a Vert.x {@link ReadStream}, starting paused.
 * Publisher signals may come on any thread; each is moved onto {@code context}, where all state lives. Items are
 * requested from the publisher only while the reader has demand, and never more than {@code prefetch} are
 * queued or in flight, so a slow reader slows the upstream. A publisher error becomes the frame {@code errorFrame}
 * gives for it, followed by the end; when it gives {@code null}, the reader's exception handler gets the error.
 * Like every Vert.x stream, the end (or the error) is delivered only while the reader has demand.
 */
final class BodyStream implements ReadStream<Buffer>, Subscriber<Buffer> {

  private final Context context;
  private final int prefetch;
  private final Function<Throwable, Buffer> errorFrame;
  private final Deque<Buffer> queue = new ArrayDeque<>();
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private Subscription subscription;
  private long demand;
  private long outstanding;
  private boolean upstreamDone;
  private Throwable failure;
  private boolean finished;
  private boolean cancelled;
  private boolean draining;

  BodyStream(Context context, int prefetch, Function<Throwable, Buffer> errorFrame) {
    this.context = context;
    this.prefetch = prefetch;
    this.errorFrame = errorFrame;
  }

  /** A finished body of one buffer; create it on {@code context}. */
  static BodyStream of(Context context, Buffer whole) {
    BodyStream stream = new BodyStream(context, 1, t -> null);
    stream.queue.add(whole);
    stream.upstreamDone = true;
    return stream;
  }

  @Override
  public void onSubscribe(Subscription s) {
    context.runOnContext(v -> {
      if (subscription != null || cancelled) {
        s.cancel();
        return;
      }
      subscription = s;
      refill();
    });
  }

  @Override
  public void onNext(Buffer item) {
    context.runOnContext(v -> {
      outstanding = Math.max(0, outstanding - 1);
      if (!cancelled && !upstreamDone) {
        queue.add(item);
        drain();
      }
    });
  }

  @Override
  public void onError(Throwable error) {
    context.runOnContext(v -> {
      if (upstreamDone) {
        return;
      }
      upstreamDone = true;
      Buffer frame = errorFrame.apply(error);
      if (frame != null) {
        queue.add(frame);
      } else {
        failure = error;
      }
      drain();
    });
  }

  @Override
  public void onComplete() {
    context.runOnContext(v -> {
      if (!upstreamDone) {
        upstreamDone = true;
        drain();
      }
    });
  }

  /** Stops delivery and cancels the subscription. Call on the context. */
  void cancel() {
    cancelled = true;
    queue.clear();
    if (subscription != null) {
      subscription.cancel();
    }
  }

  /** Reads the whole body. Call on the context. */
  Future<Buffer> collect() {
    Promise<Buffer> done = Promise.promise();
    Buffer all = Buffer.buffer();
    handler(all::appendBuffer).exceptionHandler(done::tryFail).endHandler(v -> done.tryComplete(all));
    resume();
    return done.future();
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> handler(Handler<Buffer> handler) {
    this.handler = handler;
    return this;
  }

  @Override
  public ReadStream<Buffer> pause() {
    demand = 0;
    return this;
  }

  @Override
  public ReadStream<Buffer> resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public ReadStream<Buffer> fetch(long amount) {
    if (amount > 0) {
      demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
      drain();
    }
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void drain() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (demand > 0 && !queue.isEmpty() && !cancelled) {
        Buffer next = queue.poll();
        if (demand != Long.MAX_VALUE) {
          demand--;
        }
        if (handler != null) {
          handler.handle(next);
        }
      }
      if (queue.isEmpty() && upstreamDone && demand > 0 && !finished && !cancelled) {
        finished = true;
        if (failure != null && exceptionHandler != null) {
          exceptionHandler.handle(failure);
        } else if (endHandler != null) {
          endHandler.handle(null);
        }
      }
    } finally {
      draining = false;
    }
    refill();
  }

  private void refill() {
    if (subscription == null || upstreamDone || cancelled || demand == 0) {
      return;
    }
    long wanted = prefetch - queue.size() - outstanding;
    if (wanted > 0) {
      outstanding += wanted;
      subscription.request(wanted);
    }
  }
}
