package dev.ensemble.bus;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The mailbox of one verticle for what the request path tells it after every request (a pool's attempt outcomes, the
 * router's usage reports), without the event bus: a delivery there enqueues and wakes the consumer's event loop in one
 * step, before the client's answer is written, and on a busy core the woken thread takes the core from the answer.
 * Here the sender only enqueues (a lock-free queue, many writers) and the consumer's event loop is woken once the
 * sender's current task is over ({@link AfterThisTask}), i.e. after the answer left; several items offered in one
 * task share one wake. An item that must reach the consumer at once (one that changes what the next routing decision
 * reads) is offered with {@link #offerNow}: the wake is then immediate, as on the event bus, and the item keeps its
 * place in the order of the others. One the consumer needs only eventually (a success that only counts) is offered
 * with {@link #offerLater}: no wake of its own; the consumer takes it in at its next drain (a later item's wake, its
 * own periodic drain, or anything that drains first).
 *
 * <p>Everything the consumer does that must observe every item offered before it — a status reply, a reset, a
 * scrape's flush — calls {@link #drain()} first: an item offered before a client saw its answer is then taken in
 * before anything that client asks next, even if its wake has not come yet.
 *
 * <p>Owned by the consumer's context ({@link #attach}): only its event loop takes items out and runs the handler, so
 * the consumer's state keeps its one writer. Items offered before the consumer attached wait for it.
 */
public final class Inbox<T> {

  private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);

  private final String name;
  private final Queue<T> queue = new ConcurrentLinkedQueue<>();
  /** A wake is on its way (deferred or queued on the owner): later offers need none of their own until it drains. */
  private final AtomicBoolean wakeQueued = new AtomicBoolean();
  private final Runnable wake = this::wake;
  private volatile Context owner;
  private Consumer<T> handler;

  /** @param name what the inbox is for, in log lines */
  public Inbox(String name) {
    this.name = name;
  }

  /**
   * Takes {@code handler} as the consumer of every item, on {@code context} (the consumer's own, called on its thread),
   * and hands it what was queued so far.
   */
  public void attach(Context context, Consumer<T> handler) {
    this.handler = handler;
    this.owner = context;
    drain();
  }

  /** From any thread: queues {@code item}; the consumer is woken after the current event-loop task. */
  public void offer(T item) {
    queue.offer(item);
    if (wakeQueued.compareAndSet(false, true)) {
      AfterThisTask.run(wake);
    }
  }

  /** From any thread: queues {@code item} without waking the consumer; it is taken in at the consumer's next drain. */
  public void offerLater(T item) {
    queue.offer(item);
  }

  /** From any thread: queues {@code item} and wakes the consumer now. */
  public void offerNow(T item) {
    queue.offer(item);
    wakeQueued.set(true);
    wake();
  }

  /** On the consumer's thread: hands every queued item to the handler, in the order they were offered. */
  public void drain() {
    if (handler == null) {
      return;
    }
    wakeQueued.set(false);
    T item;
    while ((item = queue.poll()) != null) {
      try {
        handler.accept(item);
      } catch (RuntimeException e) {
        LOG.error("inbox {}: could not take in {}", name, item, e);
      }
    }
  }

  /** From any thread: completes, on the consumer's context, once everything offered before this call was taken in. */
  public Future<Void> settle() {
    Context context = owner;
    if (context == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      drain();
      done.complete();
    });
    return done.future();
  }

  /** Items waiting for the consumer. */
  public boolean isEmpty() {
    return queue.isEmpty();
  }

  private void wake() {
    Context context = owner;
    if (context != null) {
      context.runOnContext(v -> drain());
    } else {
      wakeQueued.set(false);
    }
  }
}
