package dev.ensemble.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A logback appender that puts log lines into a bounded lock-free ring ({@link MpscRing}, 65,536 slots by
 * default) and lets one writer thread drain them, in batches, to the appenders it wraps
 * ({@code <appender-ref>} inside it, typically the console). A logging call on an event loop costs the
 * formatting of its message (done on the caller's thread, as the event must not change later) and one
 * compare-and-set: it never waits, not for a lock, not for space. When the ring is full the line is dropped
 * and counted by level; {@link #stats()} exposes the counters, which the node publishes as metrics and in
 * {@code /admin/status}.
 *
 * <p>Why not logback's {@code AsyncAppender}: it blocks the caller when its queue is full unless
 * {@code neverBlock=true}, it silently discards TRACE/DEBUG/INFO once the queue is 80% full, and it counts
 * none of what it drops; its {@code ArrayBlockingQueue} also takes a lock on every offer. Here dropping is
 * the only overload behaviour, it is counted, and offers are lock-free.
 *
 * <p>{@link #stop()} lets the writer drain what is queued, waiting at most {@code maxFlushTime} ms, then
 * stops the wrapped appenders. Settings (logback.xml): {@code capacity} (rounded up to a power of two),
 * {@code batchSize}, {@code maxFlushTime}.
 */
public final class RingBufferAppender extends UnsynchronizedAppenderBase<ILoggingEvent> implements AppenderAttachable<ILoggingEvent> {

  public static final int DEFAULT_CAPACITY = 65_536;
  /** The levels drops are counted by, most severe first. */
  static final List<String> LEVELS = List.of("ERROR", "WARN", "INFO", "DEBUG", "TRACE");

  /** How long the idle writer sleeps before looking again, in case it missed a wake-up. */
  private static final long IDLE_PARK_NANOS = 50_000_000L;

  private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
  private final LongAdder offered = new LongAdder();
  private final LongAdder[] dropped = new LongAdder[LEVELS.size()];
  private final AtomicLong written = new AtomicLong();
  private int capacity = DEFAULT_CAPACITY;
  private int batchSize = 1_024;
  private int maxFlushTime = 1_000;
  private volatile MpscRing<ILoggingEvent> ring;
  private volatile boolean running;
  private volatile boolean writerIdle;
  private Thread writer;

  public RingBufferAppender() {
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = new LongAdder();
    }
  }

  public void setCapacity(int capacity) {
    this.capacity = capacity;
  }

  public void setBatchSize(int batchSize) {
    this.batchSize = batchSize;
  }

  /** The longest {@link #stop()} waits for the queued lines to be written, in milliseconds. */
  public void setMaxFlushTime(int maxFlushTime) {
    this.maxFlushTime = maxFlushTime;
  }

  @Override
  public void start() {
    if (isStarted()) {
      return;
    }
    if (!appenders.iteratorForAppenders().hasNext()) {
      addError("RingBufferAppender [" + name + "] wraps no appender; add an <appender-ref>");
      return;
    }
    if (capacity < 2 || batchSize < 1) {
      addError("RingBufferAppender [" + name + "]: capacity must be at least 2 and batchSize at least 1");
      return;
    }
    ring = new MpscRing<>(capacity);
    running = true;
    writer = new Thread(this::drain, "ensemble-log-writer-" + name);
    writer.setDaemon(true);
    writer.start();
    super.start();
  }

  @Override
  protected void append(ILoggingEvent event) {
    event.prepareForDeferredProcessing();
    offered.increment();
    if (!ring.offer(event)) {
      dropped[levelIndex(event.getLevel())].increment();
    } else if (writerIdle) {
      LockSupport.unpark(writer);
    }
  }

  @Override
  public void stop() {
    if (!isStarted()) {
      return;
    }
    super.stop();
    running = false;
    LockSupport.unpark(writer);
    try {
      writer.join(maxFlushTime);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      addWarn("RingBufferAppender [" + name + "]: " + ring.size() + " lines still queued after " + maxFlushTime + " ms; not waiting longer");
    }
    appenders.detachAndStopAllAppenders();
  }

  /** The counters now; callable from any thread. */
  public LogQueueStats stats() {
    MpscRing<ILoggingEvent> r = ring;
    Map<String, Long> byLevel = new LinkedHashMap<>();
    for (int i = 0; i < LEVELS.size(); i++) {
      byLevel.put(LEVELS.get(i), dropped[i].sum());
    }
    return new LogQueueStats(name, r == null ? capacity : r.capacity(), r == null ? 0 : r.size(), offered.sum(), written.get(), byLevel);
  }

  private void drain() {
    MpscRing<ILoggingEvent> r = ring;
    ILoggingEvent[] batch = new ILoggingEvent[batchSize];
    while (true) {
      int n = 0;
      ILoggingEvent e;
      while (n < batch.length && (e = r.poll()) != null) {
        batch[n++] = e;
      }
      if (n > 0) {
        write(batch, n);
      } else if (!running) {
        if (r.size() == 0) {
          return;
        }
        Thread.onSpinWait();
      } else {
        writerIdle = true;
        if (r.size() == 0 && running) {
          LockSupport.parkNanos(this, IDLE_PARK_NANOS);
        }
        writerIdle = false;
      }
    }
  }

  private void write(ILoggingEvent[] batch, int n) {
    for (int i = 0; i < n; i++) {
      try {
        appenders.appendLoopOnAppenders(batch[i]);
      } catch (RuntimeException ex) {
        addError("RingBufferAppender [" + name + "]: a wrapped appender failed", ex);
      }
      batch[i] = null;
    }
    written.addAndGet(n);
  }

  private static int levelIndex(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> 0;
      case Level.WARN_INT -> 1;
      case Level.INFO_INT -> 2;
      case Level.DEBUG_INT -> 3;
      default -> 4;
    };
  }

  @Override
  public void addAppender(Appender<ILoggingEvent> appender) {
    appenders.addAppender(appender);
  }

  @Override
  public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
    return appenders.iteratorForAppenders();
  }

  @Override
  public Appender<ILoggingEvent> getAppender(String name) {
    return appenders.getAppender(name);
  }

  @Override
  public boolean isAttached(Appender<ILoggingEvent> appender) {
    return appenders.isAttached(appender);
  }

  @Override
  public void detachAndStopAllAppenders() {
    appenders.detachAndStopAllAppenders();
  }

  @Override
  public boolean detachAppender(Appender<ILoggingEvent> appender) {
    return appenders.detachAppender(appender);
  }

  @Override
  public boolean detachAppender(String name) {
    return appenders.detachAppender(name);
  }
}
