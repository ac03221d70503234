package dev.ensemble.loop;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one event loop's requests without a timer each. A request arms several timeouts whose length is
 * a setting (the body read, the request's deadline, the upstream's first byte and body), and nearly always calls
 * each off before it fires; a Vert.x timer costs a scheduled task, a timer id in a concurrent map and a close hook,
 * set and removed again, per timeout. Here timeouts of one length expire in about the order they were armed, so each
 * length keeps its armed timeouts in a list ordered by deadline (a new one goes in from the nearer end, usually right
 * there), calling one off unlinks it, and one check per length, scheduled on the loop for the earliest deadline,
 * runs the handlers of those that are due and schedules itself for the next. A busy loop pays one scheduled check
 * per timeout length and period, not one per request; the handlers run when they would have (at or just after their
 * deadline), on the context that armed them.
 *
 * <p>{@link #arm} from anywhere else than an event loop's own context (a worker, a test's thread) sets a Vert.x timer
 * as before. One instance per event-loop context, kept in that context's data and touched only by its thread: the
 * lists, their checks and every {@link Timeout} it hands out belong to that thread.
 */
public final class LoopDeadlines {

  private static final String KEY = LoopDeadlines.class.getName();

  private final EventLoop loop;
  /** One per timeout length armed on this loop: the lengths are settings, so there are few. */
  private final List<Line> lines = new ArrayList<>(4);

  private LoopDeadlines(EventLoop loop) {
    this.loop = loop;
  }

  /**
   * Runs {@code onExpiry} on the calling context once {@code delayMs} have passed, unless the returned timeout is
   * cancelled first. {@code lengthMs} is the setting the delay comes from (equal to {@code delayMs} unless part of that
   * time was already spent): timeouts are kept by it, so give the same length for the same setting.
   */
  public static Timeout arm(Vertx vertx, long lengthMs, long delayMs, Handler<Void> onExpiry) {
    ContextInternal context = ownLoopContext();
    if (context == null) {
      return new VertxTimer(vertx, vertx.setTimer(Math.max(1, delayMs), id -> onExpiry.handle(null)));
    }
    ContextInternal root = context.unwrap();
    LoopDeadlines deadlines = root.get(KEY);
    if (deadlines == null) {
      deadlines = new LoopDeadlines(root.nettyEventLoop());
      root.put(KEY, deadlines);
    }
    return deadlines.line(lengthMs).add(new Deadline(context, System.nanoTime() + Math.max(1, delayMs) * 1_000_000, onExpiry));
  }

  /** {@link #arm(Vertx, long, long, Handler)} for a timeout of its whole length. */
  public static Timeout arm(Vertx vertx, long delayMs, Handler<Void> onExpiry) {
    return arm(vertx, delayMs, delayMs, onExpiry);
  }

  /** The current context when it is an event loop's and this is its thread, else null. */
  private static ContextInternal ownLoopContext() {
    Context current = Vertx.currentContext();
    if (current instanceof ContextInternal context && context.isEventLoopContext() && context.nettyEventLoop().inEventLoop()) {
      return context;
    }
    return null;
  }

  private Line line(long lengthMs) {
    for (int i = 0; i < lines.size(); i++) {
      Line line = lines.get(i);
      if (line.lengthMs == lengthMs) {
        return line;
      }
    }
    Line line = new Line(lengthMs);
    lines.add(line);
    return line;
  }

  /** The armed timeouts of one length, earliest deadline first, and the one check scheduled for the earliest. */
  private final class Line {
    final long lengthMs;
    final Runnable checkTask = this::check;
    Deadline head;
    Deadline tail;
    ScheduledFuture<?> check;
    long checkAtNanos;

    Line(long lengthMs) {
      this.lengthMs = lengthMs;
    }

    /**
     * Links {@code deadline} after every armed one due no later. The walk starts from whichever end is nearer in
     * time: a timeout of the whole length goes in at the end, and one armed for the rest of a request's time (e.g. the
     * upstream body's, once the headers came, counted from the call's start) near the front, among the oldest
     * requests'; walking from the end would pass every request that started since, about as many as the loop has in
     * flight.
     */
    Deadline add(Deadline deadline) {
      long at = deadline.atNanos;
      Deadline after;
      if (head == null || tail.atNanos - at <= at - head.atNanos) {
        after = tail;
        while (after != null && after.atNanos - at > 0) {
          after = after.prev;
        }
      } else {
        Deadline before = head;
        while (before != null && before.atNanos - at <= 0) {
          before = before.next;
        }
        after = before == null ? tail : before.prev;
      }
      deadline.line = this;
      deadline.prev = after;
      deadline.next = after == null ? head : after.next;
      if (deadline.next == null) {
        tail = deadline;
      } else {
        deadline.next.prev = deadline;
      }
      if (after == null) {
        head = deadline;
      } else {
        after.next = deadline;
      }
      if (check == null || deadline.atNanos < checkAtNanos) {
        schedule(deadline.atNanos);
      }
      return deadline;
    }

    void remove(Deadline deadline) {
      if (deadline.prev == null) {
        head = deadline.next;
      } else {
        deadline.prev.next = deadline.next;
      }
      if (deadline.next == null) {
        tail = deadline.prev;
      } else {
        deadline.next.prev = deadline.prev;
      }
      deadline.prev = null;
      deadline.next = null;
      deadline.line = null;
    }

    private void schedule(long atNanos) {
      if (check != null) {
        check.cancel(false);
      }
      checkAtNanos = atNanos;
      check = loop.schedule(checkTask, Math.max(0, atNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Runs the handlers that are due (each may arm or cancel others), then waits for the next deadline, if any. */
    private void check() {
      check = null;
      long now = System.nanoTime();
      while (head != null && head.atNanos - now <= 0) {
        Deadline due = head;
        remove(due);
        due.fire();
      }
      if (head != null && check == null) {
        schedule(head.atNanos);
      }
    }
  }

  /** One armed timeout of a {@link Line}; linked while armed. */
  private static final class Deadline implements Timeout {
    final ContextInternal context;
    final long atNanos;
    final Handler<Void> onExpiry;
    Line line;
    Deadline prev;
    Deadline next;

    Deadline(ContextInternal context, long atNanos, Handler<Void> onExpiry) {
      this.context = context;
      this.atNanos = atNanos;
      this.onExpiry = onExpiry;
    }

    @Override
    public void cancel() {
      if (line != null) {
        line.remove(this);
      }
    }

    void fire() {
      context.dispatch(onExpiry);
    }
  }

  /** A Vert.x timer, for a timeout armed off an event loop's context. */
  private record VertxTimer(Vertx vertx, long id) implements Timeout {
    @Override
    public void cancel() {
      vertx.cancelTimer(id);
    }
  }
}
