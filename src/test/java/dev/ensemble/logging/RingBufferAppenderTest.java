package dev.ensemble.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RingBufferAppenderTest {

  private static final int THREADS = 8;
  private static final int PER_THREAD = 20_000;

  private final LoggerContext context = context();
  private final Collecting collected = new Collecting();
  private final Gate gate = new Gate();

  @AfterEach
  void stopContext() {
    gate.release.countDown();
    context.stop();
  }

  @Test
  void floodFromManyThreadsNeverBlocksWhileTheWriterIsStuck() throws Exception {
    RingBufferAppender ring = ring(1_024, gate);
    ring.doAppend(event("first", Level.INFO));
    assertTrue(gate.entered.await(30, TimeUnit.SECONDS), "the writer took the first line");

    flood(ring);

    LogQueueStats stuck = ring.stats();
    assertEquals(1 + THREADS * PER_THREAD, stuck.offered());
    assertEquals(1_024, stuck.depth(), "the ring is full, the writer holds the first line");
    assertEquals(THREADS * PER_THREAD - 1_024, stuck.dropped());
    gate.release.countDown();
    ring.stop();
    LogQueueStats done = ring.stats();
    assertEquals(1 + 1_024, done.written());
    assertEquals(done.offered(), done.written() + done.dropped());
    assertEquals(1 + 1_024, gate.seen);
  }

  @Test
  void floodKeepsEachThreadsOrderAndTheCountsAddUp() throws Exception {
    RingBufferAppender ring = ring(1_024, collected);

    flood(ring);
    ring.stop();

    LogQueueStats stats = ring.stats();
    assertEquals(THREADS * PER_THREAD, stats.offered());
    assertEquals(stats.offered(), stats.written() + stats.dropped(), stats.toString());
    assertEquals(stats.written(), collected.events.size());
    Map<String, Integer> last = new HashMap<>();
    for (ILoggingEvent e : collected.events) {
      int seq = (Integer) e.getArgumentArray()[0];
      Integer previous = last.put(e.getThreadName(), seq);
      assertTrue(previous == null || previous < seq, e.getThreadName() + ": " + previous + " before " + seq);
    }
  }

  @Test
  void countsDropsByLevelWhenTheWriterIsSlow() throws Exception {
    RingBufferAppender ring = ring(8, gate);
    ring.doAppend(event("first", Level.INFO));
    assertTrue(gate.entered.await(30, TimeUnit.SECONDS), "the writer took the first line");

    for (int i = 0; i < 10; i++) {
      ring.doAppend(event("e" + i, Level.ERROR));
    }
    for (int i = 0; i < 5; i++) {
      ring.doAppend(event("w" + i, Level.WARN));
      ring.doAppend(event("d" + i, Level.DEBUG));
    }

    LogQueueStats stats = ring.stats();
    assertEquals(8, stats.depth());
    assertEquals(Map.of("ERROR", 2L, "WARN", 5L, "INFO", 0L, "DEBUG", 5L, "TRACE", 0L), stats.droppedByLevel());
    assertEquals(12, stats.toJson().getLong("dropped"));
    gate.release.countDown();
    ring.stop();
    assertEquals(9, ring.stats().written());
    assertEquals(List.of("first", "e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7"), gate.messages);
  }

  @Test
  void stopWritesEverythingQueued() {
    RingBufferAppender ring = ring(65_536, collected);
    for (int i = 0; i < 10_000; i++) {
      ring.doAppend(event("line {}", Level.INFO, i));
    }

    ring.stop();

    assertEquals(10_000, collected.events.size());
    for (int i = 0; i < 10_000; i++) {
      assertEquals("line " + i, collected.events.get(i).getFormattedMessage());
    }
    assertEquals(new LogQueueStats("ring", 65_536, 0, 10_000, 10_000, Map.of("ERROR", 0L, "WARN", 0L, "INFO", 0L, "DEBUG", 0L, "TRACE", 0L)),
        ring.stats());
    assertFalse(collected.isStarted(), "stop stops the wrapped appender");
  }

  @Test
  void refusesToStartWithoutAWrappedAppender() {
    RingBufferAppender ring = new RingBufferAppender();
    ring.setContext(context);
    ring.setName("empty");
    ring.start();
    assertFalse(ring.isStarted());
  }

  private void flood(RingBufferAppender ring) throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < THREADS; t++) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < PER_THREAD; i++) {
          ring.doAppend(event("seq {}", i % 3 == 0 ? Level.DEBUG : Level.INFO, i));
        }
      }, "producer-" + t);
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
  }

  private RingBufferAppender ring(int capacity, AppenderBase<ILoggingEvent> wrapped) {
    wrapped.setContext(context);
    wrapped.start();
    RingBufferAppender ring = new RingBufferAppender();
    ring.setContext(context);
    ring.setName("ring");
    ring.setCapacity(capacity);
    ring.addAppender(wrapped);
    ring.start();
    assertTrue(ring.isStarted());
    return ring;
  }

  private static LoggerContext context() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    return context;
  }

  private LoggingEvent event(String message, Level level, Object... args) {
    return new LoggingEvent(RingBufferAppenderTest.class.getName(), context.getLogger("test"), level, message, null, args);
  }

  /** Keeps every line; called by the writer thread only, read after {@code stop()} joined it. */
  private static final class Collecting extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }
  }

  /** A deliberately slow appender: its first line holds the writer until the test releases it. */
  private static final class Gate extends AppenderBase<ILoggingEvent> {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> messages = new ArrayList<>();
    int seen;

    @Override
    protected void append(ILoggingEvent event) {
      seen++;
      messages.add(event.getFormattedMessage());
      entered.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
