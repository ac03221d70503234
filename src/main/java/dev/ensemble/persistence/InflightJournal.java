package dev.ensemble.persistence;

import dev.ensemble.bus.AfterThisTask;
import dev.ensemble.model.StreamEvent;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The crash journal of responses in flight: an append-only file of what each answer produced so far, so a node
 * killed mid-stream can, once restarted, persist those answers as failed ({@code interrupted}) with their text and
 * usage ({@link JournalRecovery}). Records: {@code s} (started: client, format, model), {@code r} (routed: provider,
 * endpoint, prices, prompt estimate; the latest attempt wins), {@code e} (one unified event; {@code es}: several
 * events of one answer, those the writer took in one round, in order), {@code x} (ended: the
 * response is persisted or retired; when its ledger row is still on its way, the record carries that row) and
 * {@code l} (the response's ledger row is committed to the ledger). A response is closed, nothing left to recover,
 * only once both its response and its ledger row are durable: an {@code x} without a row, or an {@code x} and an
 * {@code l} in either order. A response ended whose row never committed is recovered as that row alone. When the
 * ledger's commit and the answer's end reach the writer in one round (the usual case: the persistence worker commits
 * the index and ledger rows together, then the answer ends), the {@code x}, written without a row, is its only line.
 * Each record is one line, {@code <crc32 hex> <json>} ({@link JournalLine}): a line torn by a crash fails its checksum
 * and is skipped.
 *
 * <p>Callers (the ingress event loops, the ledger's worker) only put a record on a lock-free queue, holding the
 * immutable values it is made of (a {@link StreamEvent}, the events of one upstream read, a {@link LedgerEntry}, a
 * {@link JournalRoute}); the journal's own
 * writer thread renders and encodes it, writes it to the OS and forces the file to disk every
 * {@code fsyncIntervalMs} (a machine crash loses at most that much). The writer drains the queue in rounds: while
 * records keep coming it sleeps {@link #BUSY_DRAIN_NANOS} (1 ms) between rounds and no caller wakes it; after a round
 * that found nothing it parks until the next fsync is due (or for the fsync interval), and the first record offered
 * then unparks it (after the offering event loop's current task, {@link AfterThisTask}: the writer woken on the one
 * core of a small node would otherwise run before the caller sends the upstream request or writes the answer). So a
 * killed process ({@code kill -9}, an OOM kill) loses what is written to the OS never, but loses the records still
 * queued: those of about the last millisecond (as before, a record not yet written by the
 * writer was lost on a kill). The writer thread owns the file, the open responses and their lines ({@link OpenAnswers}),
 * and the line encoder; nothing else touches them.
 *
 * <p>Bounded on disk: when the file reaches {@code maxBytes} the writer compacts it into a new file holding only
 * the lines of responses still open (written and forced before the old file is deleted), so the journal takes at
 * most about twice {@code maxBytes} during a compaction. If the open responses alone fill {@code maxBytes}, their
 * new event lines are dropped (counted, logged) until some end. The queue is bounded too
 * ({@link #MAX_QUEUED}); a record over it is dropped and counted.
 *
 * <p>Each node writes its own file ({@code inflight-<uuid>.log}) and holds an OS lock on it while it runs: a file
 * whose lock is free belongs to a node that is gone, which is how {@link JournalRecovery} tells orphans from the
 * files of live nodes sharing the folder.
 */
public final class InflightJournal {

  private static final Logger LOG = LoggerFactory.getLogger(InflightJournal.class);
  /** Records waiting for the writer at most; past it the journal drops records rather than the node's memory. */
  static final int MAX_QUEUED = 100_000;
  /** The writer's pause between two rounds while records keep coming: the most a busy node's records wait in memory. */
  static final long BUSY_DRAIN_NANOS = 1_000_000;
  /** Records written in one round at most, so that the queue's count and the fsync keep up under any load. */
  private static final int MAX_ROUND = 4096;
  /** The JSON bytes after which a line of an answer's gathered events ({@code es}) is ended and the next begun. */
  static final int MAX_EVENTS_LINE = 8 * 1024;
  static final String PREFIX = "inflight-";
  static final String SUFFIX = ".log";
  private static final InflightJournal DISABLED = new InflightJournal(null, 0, 0);

  private final Path dir;
  private final long fsyncIntervalMs;
  private final long fsyncIntervalNanos;
  private final long maxBytes;
  private final ConcurrentLinkedQueue<Record> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  /** Set by the writer when it parks for long; the first caller to find it set unparks it. */
  private final AtomicBoolean idle = new AtomicBoolean();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final LongAdder wakeUps = new LongAdder();
  private final AtomicInteger compactions = new AtomicInteger();
  private volatile boolean running;
  private volatile long bytesOnDisk;
  private volatile Thread writer;
  private final Runnable unparkWriter = () -> LockSupport.unpark(writer);
  private Path file;

  // owned by the writer thread
  private final OpenAnswers open = new OpenAnswers();
  private final JournalLine line = new JournalLine();
  /** The events taken in the current round, by answer, until the answer's next record or the round's end. */
  private final Map<String, GatheredEvents> gathered = new LinkedHashMap<>();
  private ByteBuffer out;
  private FileChannel channel;
  private FileLock lock;
  private long size;
  private long lastForceNanos;
  private boolean unforced;

  /**
   * One record as a caller hands it over: {@code body} is null, a {@link JsonObject} not modified afterwards, a
   * {@link StreamEvent} (with its {@code seq}), {@link JournalLine.Started}, a {@link JournalRoute}, a {@link LedgerEntry},
   * or for {@code l} the committed rows' request ids (a {@code String[]}, {@code id} null).
   */
  private record Record(char kind, String id, Object body, int seq) {}

  /** Several events of one answer handed over at once ({@link #events}): the body of one {@code e} {@link Record}. */
  private record Events(StreamEvent[] events, int[] seqs, int count) {}

  /**
   * @param dir             the folder shared by the nodes of one data directory
   * @param fsyncIntervalMs how often written records are forced to disk
   * @param maxBytes        the size at which the file is compacted
   */
  public InflightJournal(Path dir, long fsyncIntervalMs, long maxBytes) {
    this.dir = dir;
    this.fsyncIntervalMs = fsyncIntervalMs;
    this.fsyncIntervalNanos = fsyncIntervalMs * 1_000_000;
    this.maxBytes = maxBytes;
  }

  /** A journal that records nothing (tests and tools that run no node). */
  public static InflightJournal disabled() {
    return DISABLED;
  }

  public Path dir() {
    return dir;
  }

  /** Creates this node's file, locks it and starts the writer. Blocking: call it from a worker. */
  public synchronized void open() throws IOException {
    if (dir == null || running) {
      return;
    }
    Files.createDirectories(dir);
    file = dir.resolve(PREFIX + UUID.randomUUID() + SUFFIX);
    channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    lock = channel.lock();
    size = 0;
    lastForceNanos = System.nanoTime();
    running = true;
    writer = new Thread(this::run, "ensemble-inflight-journal");
    writer.setDaemon(true);
    writer.start();
    LOG.info("in-flight journal {} (fsync every {} ms, compacted at {} bytes)", file, fsyncIntervalMs, maxBytes);
  }

  /** An answer began: {@code clientId} (null without client keys), its client format, model, creation and stream flag. */
  public void started(String id, String clientId, String format, String model, long createdEpochSeconds, boolean stream) {
    offer('s', id, new JournalLine.Started(clientId, format, model, createdEpochSeconds, stream), 0);
  }

  /** An attempt of the answer was routed (the latest wins at recovery). */
  public void routed(String id, JournalRoute route) {
    offer('r', id, route, 0);
  }

  /** One unified event of the answer, numbered {@code seq}; rendered to JSON by the writer thread. */
  public void event(String id, int seq, StreamEvent event) {
    offer('e', id, event, seq);
  }

  /**
   * The unified events {@code events[0, count)} of the answer, numbered {@code seqs[0, count)} (increasing), in one
   * hand-over: the events of one upstream read. The arrays are the journal's from then on; the caller neither changes
   * nor reuses them.
   */
  public void events(String id, StreamEvent[] events, int[] seqs, int count) {
    if (count == 1) {
      offer('e', id, events[0], seqs[0]);
    } else if (count > 1) {
      offer('e', id, new Events(events, seqs, count), 0);
    }
  }

  /** One event of the answer made as JSON (with its {@code seq}); not modified afterwards by the caller. */
  public void event(String id, JsonObject event) {
    offer('e', id, event, 0);
  }

  /** The answer is persisted (or will never be) and has no ledger row on its way: nothing to recover. */
  public void ended(String id) {
    offer('x', id, null, 0);
  }

  /**
   * The answer is persisted (or will never be) and {@code ledgerRow} was sent to the ledger: the answer stays open
   * until {@link #ledgerWritten} says that row is committed, so that a crash in between recovers the row.
   */
  public void ended(String id, LedgerEntry ledgerRow) {
    offer('x', id, ledgerRow, 0);
  }

  /** The ledger committed these rows (called by the {@link LedgerWriter} after each batch): their answers may close. */
  void ledgerWritten(List<LedgerEntry> rows) {
    if (!running || rows.isEmpty()) {
      return;
    }
    String[] ids = new String[rows.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rows.get(i).requestId();
    }
    offer('l', null, ids, 0);
  }

  private void offer(char kind, String id, Object body, int seq) {
    if (!running) {
      return;
    }
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      dropped.add(body instanceof Events several ? several.count() : 1);
      return;
    }
    queue.offer(new Record(kind, id, body, seq));
    if (idle.get() && idle.compareAndSet(true, false)) {
      // after the caller's event-loop task (the answer written, the upstream request sent): on one core the woken
      // writer would otherwise run first
      wakeUps.increment();
      AfterThisTask.run(unparkWriter);
    }
  }

  /** Stops the writer after it wrote (and forced) everything queued, then releases the file. Blocking. */
  public synchronized void close() {
    if (!running) {
      return;
    }
    running = false;
    LockSupport.unpark(writer);
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the writer is parked until the next record or fsync (it found nothing to write in its last round). */
  boolean writerIdle() {
    return idle.get();
  }

  /** What {@code /admin/status} shows of the journal. */
  public JsonObject stats() {
    return new JsonObject().put("file", file == null ? null : file.toString()).put("bytes", bytesOnDisk)
        .put("records_written", written.sum()).put("records_dropped", dropped.sum()).put("compactions", compactions.get())
        .put("writer_wakeups", wakeUps.sum())
        .put("fsync_interval_ms", fsyncIntervalMs).put("max_bytes", maxBytes);
  }

  private void run() {
    out = ByteBuffer.allocateDirect(1 << 16);
    try {
      while (true) {
        boolean stopping = !running;
        int drained = drain();
        flush(channel);
        boolean last = stopping && queue.isEmpty();
        long now = System.nanoTime();
        if (unforced && (last || now - lastForceNanos >= fsyncIntervalNanos)) {
          channel.force(false);
          unforced = false;
          lastForceNanos = now;
        }
        if (size >= maxBytes) {
          compact();
        }
        bytesOnDisk = size;
        if (last) {
          break;
        }
        if (stopping || drained == MAX_ROUND) {
          continue; // more is waiting: no pause
        }
        if (drained > 0) {
          // busy: the next records are batched for a millisecond; callers do not wake the writer
          LockSupport.parkNanos(this, BUSY_DRAIN_NANOS);
        } else {
          idle.set(true);
          if (queue.isEmpty() && running) {
            LockSupport.parkNanos(this, unforced ? Math.max(1, fsyncIntervalNanos - (System.nanoTime() - lastForceNanos)) : fsyncIntervalNanos);
          }
          idle.set(false);
        }
      }
    } catch (IOException | RuntimeException e) {
      running = false;
      LOG.error("in-flight journal {} failed; answers in flight are no longer journalled: {}", file, e.toString());
    } finally {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
        channel.close();
      } catch (IOException e) {
        LOG.warn("closing the in-flight journal {}: {}", file, e.toString());
      }
    }
  }

  /**
   * Writes the records queued, {@link #MAX_ROUND} at most; returns how many it took. The events of one answer taken in
   * this round are written as one line ({@code es}, or {@code e} for a single one) where the answer's next other
   * record of the round, or the round's end, comes: every line of a round reaches the OS in the round's write anyway
   * (or a write of the full buffer within it), so what a killed process can lose is unchanged, and the answer's
   * records keep their order. Likewise the {@code l} of an answer not yet ended waits for the round's end
   * ({@link #billed}).
   */
  private int drain() throws IOException {
    int taken = 0;
    long records = 0;
    Record r;
    while (taken < MAX_ROUND && (r = queue.poll()) != null) {
      taken++;
      if (r.kind() == 'e') {
        GatheredEvents events = gathered.computeIfAbsent(r.id(), k -> new GatheredEvents());
        if (r.body() instanceof Events several) {
          for (int i = 0; i < several.count(); i++) {
            events.add(several.events()[i], several.seqs()[i]);
          }
        } else {
          events.add(r.body(), r.seq());
        }
      } else if (r.body() instanceof String[] ids) {
        for (String id : ids) {
          records += billed(id);
        }
      } else {
        records += writeGathered(r.id());
        records += write(r.kind(), r.id(), r.body(), r.seq());
      }
    }
    if (!gathered.isEmpty()) {
      for (Map.Entry<String, GatheredEvents> events : gathered.entrySet()) {
        records += writeEvents(events.getKey(), events.getValue());
      }
      gathered.clear();
    }
    for (String id : open.billedStillOpen()) { // its end did not come this round
      write('l', id, null, 0);
    }
    if (taken > 0) {
      queued.addAndGet(-taken);
      written.add(records);
    }
    return taken;
  }

  /**
   * The ledger committed the row of {@code id}: an answer that ended is closed by its {@code l} line now; one still
   * open waits for the round's end ({@link OpenAnswers#billed}). The records handled (1, or 0 for an answer not
   * journalled; a deferred line counts as the record it is in records_written, though it may never be needed).
   */
  private int billed(String id) throws IOException {
    int records = writeGathered(id);
    return records + switch (open.billed(id)) {
      case NOT_OPEN -> 0;
      case CLOSE_NOW -> write('l', id, null, 0);
      case DEFERRED -> 1;
    };
  }

  /** The events of {@code id} gathered in this round, if any, written before the answer's next record; records written. */
  private int writeGathered(String id) throws IOException {
    if (gathered.isEmpty()) {
      return 0;
    }
    GatheredEvents events = gathered.remove(id);
    return events == null ? 0 : writeEvents(id, events);
  }

  /**
   * An answer's events of one round as one line ({@code e} for one event, else {@code es}; lines of about
   * {@link #MAX_EVENTS_LINE} bytes at most when they are many or large, so the bound on open responses' lines holds
   * as it did line by line); the records written.
   */
  private int writeEvents(String id, GatheredEvents events) throws IOException {
    if (events.count == 1) {
      return write('e', id, events.bodies[0], events.seqs[0]);
    }
    int from = 0;
    while (from < events.count) {
      if (open.bytes() >= maxBytes) {
        dropped.add(events.count - from);
        break;
      }
      int length = line.encodeEvents(id, events.bodies, events.seqs, from, events.count, MAX_EVENTS_LINE);
      from += line.eventsInLine();
      open.keep(id, line.array(), length);
      put(line.array(), length, channel);
    }
    return from; // counted as the records they are (records_written), though fewer lines
  }

  /** Writes one record's line to the buffer, keeping it while its response is open; returns the lines written (0 or 1). */
  private int write(char kind, String id, Object body, int seq) throws IOException {
    OpenAnswers.Entry entry = open.get(id);
    boolean keep = true;
    switch (kind) {
      case 'x' -> {
        if (entry == null || body == null || entry.billed) {
          body = null;
          keep = false;
        } else {
          entry.ended = true;
        }
      }
      case 'l' -> {
        if (entry == null) {
          return 0; // not journalled (an embedding, an audit) or already closed
        }
        keep = !entry.ended; // a billed answer's line (billed(id)), kept until its end
      }
      case 'e' -> {
        if (open.bytes() >= maxBytes) {
          dropped.increment();
          return 0;
        }
      }
      default -> { }
    }
    if (!keep && entry != null) {
      open.close(id);
    }
    int length = line.encode(kind, id, body, seq);
    if (keep) {
      open.keep(id, line.array(), length);
    }
    put(line.array(), length, channel);
    return 1;
  }

  /** Appends {@code bytes[0, length)} to the write buffer, writing it to {@code to} whenever it fills. */
  private void put(byte[] bytes, int length, FileChannel to) throws IOException {
    int from = 0;
    while (from < length) {
      if (!out.hasRemaining()) {
        flush(to);
      }
      int n = Math.min(out.remaining(), length - from);
      out.put(bytes, from, n);
      from += n;
    }
  }

  /** Writes the buffer to the journal's file ({@code to} is {@link #channel}) or to the file a compaction fills. */
  private void flush(FileChannel to) throws IOException {
    long wrote = 0;
    out.flip();
    while (out.hasRemaining()) {
      wrote += to.write(out);
    }
    out.clear();
    if (to == channel && wrote > 0) {
      size += wrote;
      unforced = true;
    }
  }

  /** A new file with the open responses' lines, forced, then the old one deleted: the journal shrinks to what is live. */
  private void compact() throws IOException {
    Path next = dir.resolve(PREFIX + UUID.randomUUID() + SUFFIX);
    FileChannel fresh = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileLock freshLock = fresh.lock();
    for (OpenAnswers.Entry entry : open.entries()) {
      for (byte[] kept : entry.lines) {
        put(kept, kept.length, fresh);
      }
    }
    flush(fresh);
    long freshSize = fresh.position();
    fresh.force(false);
    Path old = file;
    // deleted while still locked: no starting node can take it for an orphan
    Files.deleteIfExists(old);
    lock.release();
    channel.close();
    channel = fresh;
    lock = freshLock;
    file = next;
    size = freshSize;
    unforced = false;
    lastForceNanos = System.nanoTime();
    compactions.incrementAndGet();
    LOG.debug("in-flight journal compacted to {} ({} bytes, {} responses open)", next, freshSize, open.size());
  }
}
