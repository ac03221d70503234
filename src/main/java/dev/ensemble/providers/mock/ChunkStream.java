package dev.ensemble.providers.mock;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.List;

/**
 * A {@link ReadStream} over prepared chunks, delivered on one context with a fixed gap between them and
 * honouring pause/resume. Starts paused. All state is touched only on {@code context}.
 */
final class ChunkStream implements ReadStream<Buffer> {

  private final Context context;
  private final List<Buffer> chunks;
  private final long gapMs;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private int next;
  private long demand;
  private boolean scheduled;
  private boolean cancelled;

  ChunkStream(Context context, List<Buffer> chunks, long gapMs) {
    this.context = context;
    this.chunks = List.copyOf(chunks);
    this.gapMs = gapMs;
  }

  void cancel() {
    cancelled = true;
  }

  @Override
  public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
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
    demand = demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    schedule(0);
    return this;
  }

  @Override
  public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  private void schedule(long delay) {
    if (scheduled || cancelled) {
      return;
    }
    scheduled = true;
    if (delay <= 0) {
      context.runOnContext(v -> deliver());
    } else {
      context.owner().setTimer(delay, t -> context.runOnContext(v -> deliver()));
    }
  }

  private void deliver() {
    scheduled = false;
    if (cancelled || demand == 0) {
      return;
    }
    if (next < chunks.size()) {
      Buffer chunk = chunks.get(next++);
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      if (handler != null) {
        handler.handle(chunk);
      }
      schedule(next < chunks.size() ? gapMs : 0);
    } else if (endHandler != null) {
      Handler<Void> end = endHandler;
      endHandler = null;
      end.handle(null);
    }
  }
}
