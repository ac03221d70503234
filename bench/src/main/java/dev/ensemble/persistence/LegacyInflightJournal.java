package dev.ensemble.persistence;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * The crash journal's writer as it was at commit 5e476d0 (before the line encoder and the batched writer), kept
 * unchanged but for its name as the baseline of {@code dev.ensemble.bench.JournalWriterBench}: records built as JSON
 * trees by the caller, a wrapper tree and a String per line, {@code String.format} for the checksum, the writer
 * unparked by a caller whenever it parked.
 */
public final class LegacyInflightJournal {

  private static final Logger LOG = LoggerFactory.getLogger(LegacyInflightJournal.class);
  /** Records waiting for the writer at most; past it the journal drops records rather than the node's memory. */
  static final int MAX_QUEUED = 100_000;
  static final String PREFIX = "inflight-";
  static final String SUFFIX = ".log";
  private static final LegacyInflightJournal DISABLED = new LegacyInflightJournal(null, 0, 0);

  private final Path dir;
  private final long fsyncIntervalMs;
  private final long maxBytes;
  private final ConcurrentLinkedQueue<Record> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicBoolean parked = new AtomicBoolean();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder written = new LongAdder();
  private final AtomicInteger compactions = new AtomicInteger();
  private volatile boolean running;
  private volatile long bytesOnDisk;
  private Thread writer;
  private Path file;

  // owned by the writer thread
  private final Map<String, OpenResponse> open = new LinkedHashMap<>();
  private long openBytes;
  private FileChannel channel;
  private FileLock lock;
  private long size;
  private long lastForceNanos;
  private boolean unforced;

  private record Record(char kind, String id, JsonObject body) {}

  /** The lines of a response not yet closed, and which of its two halves (stored, billed) are already durable. */
  private static final class OpenResponse {
    final List<byte[]> lines = new ArrayList<>();
    boolean ended;
    boolean billed;
  }

  /**
   * @param dir             the folder shared by the nodes of one data directory
   * @param fsyncIntervalMs how often written records are forced to disk
   * @param maxBytes        the size at which the file is compacted
   */
  public LegacyInflightJournal(Path dir, long fsyncIntervalMs, long maxBytes) {
    this.dir = dir;
    this.fsyncIntervalMs = fsyncIntervalMs;
    this.maxBytes = maxBytes;
  }

  /** A journal that records nothing (tests and tools that run no node). */
  public static LegacyInflightJournal disabled() {
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
    writer = new Thread(this::run, "legacy-inflight-journal");
    writer.setDaemon(true);
    writer.start();
    LOG.info("in-flight journal {} (fsync every {} ms, compacted at {} bytes)", file, fsyncIntervalMs, maxBytes);
  }

  /** An answer began. */
  public void started(String id, JsonObject meta) {
    offer('s', id, meta);
  }

  /** An attempt of the answer was routed (the latest wins at recovery). */
  public void routed(String id, JsonObject route) {
    offer('r', id, route);
  }

  /** One unified event of the answer, with its {@code seq}; not modified afterwards by the caller. */
  public void event(String id, JsonObject event) {
    offer('e', id, event);
  }

  /** The answer is persisted (or will never be) and has no ledger row on its way: nothing to recover. */
  public void ended(String id) {
    offer('x', id, null);
  }

  /**
   * The answer is persisted (or will never be) and {@code ledgerRow} was sent to the ledger: the answer stays open
   * until {@link #ledgerWritten} says that row is committed, so that a crash in between recovers the row.
   */
  public void ended(String id, LedgerEntry ledgerRow) {
    offer('x', id, ledgerRow == null ? null : LedgerEntryJson.toJson(ledgerRow));
  }

  /** The ledger committed these rows (called by the {@link LedgerWriter} after each batch): their answers may close. */
  void ledgerWritten(List<LedgerEntry> rows) {
    for (LedgerEntry row : rows) {
      offer('l', row.requestId(), null);
    }
  }

  private void offer(char kind, String id, JsonObject body) {
    if (!running) {
      return;
    }
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.offer(new Record(kind, id, body));
    if (parked.get() && parked.compareAndSet(true, false)) {
      LockSupport.unpark(writer);
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

  /** What {@code /admin/status} shows of the journal. */
  public JsonObject stats() {
    return new JsonObject().put("file", file == null ? null : file.toString()).put("bytes", bytesOnDisk)
        .put("records_written", written.sum()).put("records_dropped", dropped.sum()).put("compactions", compactions.get())
        .put("fsync_interval_ms", fsyncIntervalMs).put("max_bytes", maxBytes);
  }

  private void run() {
    ByteBuffer out = ByteBuffer.allocate(1 << 16);
    try {
      while (true) {
        boolean stopping = !running;
        Record r;
        boolean wrote = false;
        while ((r = queue.poll()) != null) {
          queued.decrementAndGet();
          out = write(r, out);
          wrote = true;
        }
        flush(out);
        long now = System.nanoTime();
        if (unforced && (stopping || now - lastForceNanos >= fsyncIntervalMs * 1_000_000)) {
          channel.force(false);
          unforced = false;
          lastForceNanos = now;
        }
        if (size >= maxBytes) {
          compact();
        }
        bytesOnDisk = size;
        if (stopping) {
          break;
        }
        if (!wrote) {
          parked.set(true);
          if (queue.isEmpty() && running) {
            LockSupport.parkNanos(unforced ? Math.max(1, fsyncIntervalMs * 1_000_000 - (System.nanoTime() - lastForceNanos))
                : fsyncIntervalMs * 1_000_000);
          }
          parked.set(false);
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

  private ByteBuffer write(Record r, ByteBuffer out) throws IOException {
    OpenResponse entry = open.get(r.id());
    JsonObject body = r.body();
    boolean keep = true;
    switch (r.kind()) {
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
          return out; // not journalled (an embedding, an audit) or already closed
        }
        if (entry.ended) {
          keep = false;
        } else {
          entry.billed = true;
        }
      }
      case 'e' -> {
        if (openBytes >= maxBytes) {
          dropped.increment();
          return out;
        }
      }
      default -> { }
    }
    if (!keep && entry != null) {
      open.remove(r.id());
      entry.lines.forEach(l -> openBytes -= l.length);
    }
    JsonObject json = new JsonObject().put("k", String.valueOf(r.kind())).put("id", r.id());
    if (body != null) {
      json.put("b", body);
    }
    byte[] line = line(json);
    if (keep) {
      open.computeIfAbsent(r.id(), k -> new OpenResponse()).lines.add(line);
      openBytes += line.length;
    }
    if (out.remaining() < line.length) {
      flush(out);
      if (out.capacity() < line.length) {
        out = ByteBuffer.allocate(Integer.highestOneBit(line.length) << 1);
      }
    }
    out.put(line);
    written.increment();
    return out;
  }

  private void flush(ByteBuffer out) throws IOException {
    out.flip();
    while (out.hasRemaining()) {
      size += channel.write(out);
      unforced = true;
    }
    out.clear();
  }

  /** A new file with the open responses' lines, forced, then the old one deleted: the journal shrinks to what is live. */
  private void compact() throws IOException {
    Path next = dir.resolve(PREFIX + UUID.randomUUID() + SUFFIX);
    FileChannel fresh = FileChannel.open(next, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileLock freshLock = fresh.lock();
    long freshSize = 0;
    for (OpenResponse entry : open.values()) {
      for (byte[] line : entry.lines) {
        freshSize += fresh.write(ByteBuffer.wrap(line));
      }
    }
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

  static byte[] line(JsonObject json) {
    byte[] body = json.encode().getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    byte[] line = new byte[9 + body.length + 1];
    byte[] hex = String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(hex, 0, line, 0, 9);
    System.arraycopy(body, 0, line, 9, body.length);
    line[line.length - 1] = '\n';
    return line;
  }

  /** The JSON of one line, or null when the line is torn or corrupt (its checksum does not match). */
  static JsonObject parse(String line) {
    if (line.length() < 10 || line.charAt(8) != ' ') {
      return null;
    }
    byte[] body = line.substring(9).getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    try {
      if (Long.parseLong(line.substring(0, 8), 16) != crc.getValue()) {
        return null;
      }
      return new JsonObject(line.substring(9));
    } catch (RuntimeException e) {
      return null;
    }
  }
}
