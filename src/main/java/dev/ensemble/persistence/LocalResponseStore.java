package dev.ensemble.persistence;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The {@code local} response store: append-only segment files under {@code responses.local_dir}, one folder per
 * UTC day of the request id's timestamp ({@code 2026-11-22/seg-<millis>-<random>.log}). Each response is one line
 * {@code <crc32 hex> <json>}; its store key, kept by the {@code responses} index, is
 * {@code <day>/<segment>#<offset>+<length>}, so a read is one positional read of that line, and its checksum and
 * id are checked (a line torn by a machine crash reads as absent, logged). The store itself keeps nothing per
 * response in memory: the index is the SQLite table.
 *
 * <p>Ownership: callers (the persistence verticle, or any thread) only put an operation on a lock-free queue;
 * the store's own writer thread ({@code ensemble-response-store}) owns the open segments, writes every queued
 * response's line in one pass ({@link RecordJson}: the body's bytes as the client got them, the events from the
 * objects the request path kept, no tree of the record), writes each batch to its segment with one gathering write, and then completes the batch's futures on
 * the store's context (a killed process loses nothing acknowledged). It forces the open segments to disk every
 * {@code fsyncIntervalMs} (the crash journal's {@code responses.journal.fsync_interval_ms}: a machine crash loses
 * at most that much), when it rolls a segment (at {@link #SEGMENT_BYTES}, or a new day) and at {@link #close}.
 * Each start writes new segment files (two nodes sharing the folder never share one), so a torn tail is never
 * appended to. Reads open the segment themselves and never wait for the writer.
 *
 * <p>{@link #delete} overwrites the response's line in place with a tombstone of the same length
 * ({@code {"id":..,"deleted":true}} padded with spaces): its content leaves the disk at once. With
 * {@code retentionDays} > 0 the writer removes, at start and hourly, the day folders older than that many days
 * (all their segments have expired together). Responses written before segments, one {@code <day>/<id>.json}
 * each, are read, deleted and expired in place (key {@code <day>/<id>.json}); nothing is migrated.
 */
public final class LocalResponseStore implements ResponseStore {

  /** A segment is closed and a new one started past this size. */
  static final long SEGMENT_BYTES = 64L * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(LocalResponseStore.class);
  private static final long EXPIRY_INTERVAL_NANOS = 3_600_000_000_000L;
  private static final int MAX_BATCH = 1024;
  /** Open segments at most (one per day being written: today's, and yesterday's for answers that crossed midnight). */
  private static final int MAX_OPEN = 2;

  private final Path root;
  private final long fsyncIntervalNanos;
  private final int retentionDays;
  private final Clock clock;
  private final Context context;
  private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean parked = new AtomicBoolean();
  private final LongAdder saved = new LongAdder();
  private final LongAdder deleted = new LongAdder();
  private final LongAdder expiredDays = new LongAdder();
  private final Promise<Void> closed = Promise.promise();
  private final Thread writer;
  private volatile boolean running = true;

  // owned by the writer thread
  private final RecordJson json = new RecordJson();
  private final Map<Long, Segment> open = new LinkedHashMap<>();
  private long lastForceNanos = System.nanoTime();
  private long lastExpiryNanos;

  private sealed interface Op permits Save, Delete {}

  private record Save(ResponseRecord record, Promise<String> done) implements Op {}

  private record Delete(String id, String key, Promise<Void> done) implements Op {}

  /** A segment being appended to: its file, relative name and size. */
  private static final class Segment {
    final String name;
    final FileChannel channel;
    long size;
    boolean unforced;
    final List<ByteBuffer> pending = new ArrayList<>();
    long pendingBytes;

    Segment(String name, FileChannel channel) {
      this.name = name;
      this.channel = channel;
    }
  }


  /** A store writing its segments under {@code root}, kept forever, forced every second; futures complete on the writer thread. */
  public LocalResponseStore(Path root) {
    this(root, 1_000, 0, Clock.systemUTC(), null);
  }

  /**
   * @param fsyncIntervalMs how often written segments are forced to disk
   * @param retentionDays   whole days kept after a response's day; 0 keeps them forever
   * @param context         where the futures complete (the persistence verticle's), or null for the writer thread
   */
  public LocalResponseStore(Path root, long fsyncIntervalMs, int retentionDays, Clock clock, Context context) {
    this.root = root;
    this.fsyncIntervalNanos = fsyncIntervalMs * 1_000_000;
    this.retentionDays = retentionDays;
    this.clock = clock;
    this.context = context;
    this.writer = new Thread(this::run, "ensemble-response-store");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public Optional<String> keyOf(String id) {
    return ResponseKeys.of(id);
  }

  @Override
  public Future<String> save(ResponseRecord record) {
    if (!ResponseKeys.valid(record.id())) {
      return Future.failedFuture(new IOException("invalid response id " + record.id()));
    }
    Promise<String> done = Promise.promise();
    if (!enqueue(new Save(record, done))) {
      return Future.failedFuture(new IOException("the response store is closed"));
    }
    return done.future();
  }

  @Override
  public Future<Optional<ResponseRecord>> load(String id, String storeKey) {
    if (!ResponseKeys.valid(id)) {
      return Future.succeededFuture(Optional.empty());
    }
    String key = storeKey == null ? ResponseKeys.of(id).orElseThrow() : storeKey;
    try {
      return Future.succeededFuture(key.endsWith(".json") ? readLegacy(id, key) : readLine(id, key));
    } catch (IOException | RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  @Override
  public Future<Void> delete(String id, String storeKey) {
    if (!ResponseKeys.valid(id)) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    if (!enqueue(new Delete(id, storeKey == null ? ResponseKeys.of(id).orElseThrow() : storeKey, done))) {
      return Future.failedFuture(new IOException("the response store is closed"));
    }
    return done.future();
  }

  @Override
  public JsonObject describe() {
    return new JsonObject().put("type", "local").put("local_dir", root.toAbsolutePath().toString()).put("layout", "segments")
        .put("retention_days", retentionDays).put("saved", saved.sum()).put("deleted", deleted.sum())
        .put("expired_days", expiredDays.sum()).put("queued", queue.size());
  }

  /** Writes what is queued, forces and closes the segments, stops the writer. */
  @Override
  public Future<Void> close() {
    running = false;
    LockSupport.unpark(writer);
    return closed.future();
  }

  private boolean enqueue(Op op) {
    if (!running) {
      return false;
    }
    queue.offer(op);
    if (parked.get() && parked.compareAndSet(true, false)) {
      LockSupport.unpark(writer);
    }
    return true;
  }

  // ---- reads (any thread) ----

  private Optional<ResponseRecord> readLegacy(String id, String key) throws IOException {
    if (!key.equals(ResponseKeys.of(id).orElse(null))) {
      return Optional.empty();
    }
    try {
      return Optional.of(ResponseRecord.fromJson(new JsonObject(Files.readString(root.resolve(key), StandardCharsets.UTF_8))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  private Optional<ResponseRecord> readLine(String id, String key) throws IOException {
    Optional<SegmentPosition> at = SegmentPosition.parse(key);
    if (at.isEmpty()) {
      LOG.warn("response {}: unreadable store key {}", id, key);
      return Optional.empty();
    }
    SegmentPosition p = at.get();
    ByteBuffer line = ByteBuffer.allocate(p.length());
    try (FileChannel in = FileChannel.open(root.resolve(p.segment()), StandardOpenOption.READ)) {
      while (line.hasRemaining()) {
        if (in.read(line, p.offset() + line.position()) < 0) {
          break;
        }
      }
    } catch (NoSuchFileException e) {
      return Optional.empty(); // its day expired, or the folder was removed by hand
    }
    JsonObject json = line.hasRemaining() ? null : SegmentLine.parse(line.array());
    if (json == null || !id.equals(json.getString("id")) || json.getBoolean("deleted", false)) {
      if (json == null) {
        LOG.warn("response {}: its line in {} is torn or corrupt (a crash before it reached the disk); answered as absent", id, p.segment());
      }
      return Optional.empty();
    }
    return Optional.of(ResponseRecord.fromJson(json));
  }

  // ---- the writer thread ----

  private void run() {
    List<Op> batch = new ArrayList<>();
    try {
      if (retentionDays > 0) {
        expire(); // before the first write: what is saved after start never sees an expired day
        lastExpiryNanos = System.nanoTime();
      }
      while (true) {
        boolean stopping = !running;
        Op op;
        while (batch.size() < MAX_BATCH && (op = queue.poll()) != null) {
          batch.add(op);
        }
        if (!batch.isEmpty()) {
          process(batch);
          batch.clear();
          continue;
        }
        long now = System.nanoTime();
        if (now - lastForceNanos >= fsyncIntervalNanos || stopping) {
          forceAll();
          lastForceNanos = now;
        }
        if (retentionDays > 0 && now - lastExpiryNanos >= EXPIRY_INTERVAL_NANOS) {
          expire();
          lastExpiryNanos = now;
        }
        if (stopping) {
          break;
        }
        parked.set(true);
        if (queue.isEmpty() && running) {
          LockSupport.parkNanos(fsyncIntervalNanos);
        }
        parked.set(false);
      }
    } catch (RuntimeException | Error e) {
      LOG.error("the response store's writer failed; responses are no longer stored: {}", e.toString());
      running = false;
      Op op;
      while ((op = queue.poll()) != null) {
        fail(op, e);
      }
    } finally {
      for (Segment s : open.values()) {
        closeSegment(s);
      }
      open.clear();
      running = false;
      Op left;
      while ((left = queue.poll()) != null) {
        fail(left, new IOException("the response store is closed"));
      }
      closed.tryComplete(); // here: the context may be closing; every save was acknowledged before close was asked
    }
  }

  /** One batch: the saves appended per segment with one gathering write each, deletes after; then every future completed. */
  private void process(List<Op> batch) {
    List<Runnable> outcomes = new ArrayList<>(batch.size());
    Map<Segment, List<Save>> bySegment = new LinkedHashMap<>();
    Map<Segment, List<SegmentPosition>> positions = new LinkedHashMap<>();
    for (Op op : batch) {
      if (op instanceof Save save) {
        try {
          byte[] line = json.line(save.record());
          Segment segment = segmentFor(ResponseKeys.epochDay(save.record().id()), line.length);
          positions.computeIfAbsent(segment, k -> new ArrayList<>())
              .add(new SegmentPosition(segment.name, segment.size + segment.pendingBytes, line.length));
          segment.pending.add(ByteBuffer.wrap(line));
          segment.pendingBytes += line.length;
          bySegment.computeIfAbsent(segment, k -> new ArrayList<>()).add(save);
        } catch (IOException | RuntimeException e) {
          outcomes.add(() -> save.done().tryFail(e));
        }
      }
    }
    for (Map.Entry<Segment, List<Save>> e : bySegment.entrySet()) {
      Segment segment = e.getKey();
      List<Save> saves = e.getValue();
      List<SegmentPosition> at = positions.get(segment);
      try {
        write(segment);
        for (int i = 0; i < saves.size(); i++) {
          Save save = saves.get(i);
          String key = at.get(i).key();
          outcomes.add(() -> save.done().tryComplete(key));
        }
        saved.add(saves.size());
      } catch (IOException ex) {
        LOG.error("could not append {} responses to {}: {}", saves.size(), segment.name, ex.toString());
        saves.forEach(s -> outcomes.add(() -> s.done().tryFail(ex)));
        open.values().remove(segment);
        closeSegment(segment);
      }
    }
    for (Op op : batch) {
      if (op instanceof Delete d) {
        try {
          erase(d.id(), d.key());
          deleted.increment();
          outcomes.add(() -> d.done().tryComplete());
        } catch (IOException | RuntimeException ex) {
          outcomes.add(() -> d.done().tryFail(ex));
        }
      }
    }
    complete(() -> outcomes.forEach(Runnable::run));
  }

  private void write(Segment segment) throws IOException {
    ByteBuffer[] buffers = segment.pending.toArray(new ByteBuffer[0]);
    segment.pending.clear();
    long total = segment.pendingBytes;
    segment.pendingBytes = 0;
    long done = 0;
    while (done < total) {
      done += segment.channel.write(buffers);
    }
    segment.size += total;
    segment.unforced = true;
  }

  /** The open segment of {@code day} with room for {@code bytes} more, rolling or opening one as needed. */
  private Segment segmentFor(long day, int bytes) throws IOException {
    Segment segment = open.get(day);
    if (segment != null && segment.size + segment.pendingBytes + bytes > SEGMENT_BYTES && segment.size + segment.pendingBytes > 0) {
      if (!segment.pending.isEmpty()) {
        return segment; // this batch overflows it a little; the next one rolls
      }
      open.remove(day);
      closeSegment(segment);
      segment = null;
    }
    if (segment == null) {
      while (open.size() >= MAX_OPEN) {
        Long oldest = open.keySet().stream().min(Comparator.naturalOrder()).orElseThrow();
        Segment old = open.get(oldest);
        if (!old.pending.isEmpty()) {
          break;
        }
        open.remove(oldest);
        closeSegment(old);
      }
      String folder = LocalDate.ofEpochDay(day).toString();
      Files.createDirectories(root.resolve(folder));
      String name = folder + "/seg-" + clock.millis() + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000) + ".log";
      segment = new Segment(name, FileChannel.open(root.resolve(name), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      open.put(day, segment);
    }
    return segment;
  }

  /** Overwrites a stored line with a tombstone of the same length, or deletes a legacy file. */
  private void erase(String id, String key) throws IOException {
    if (key.endsWith(".json")) {
      if (key.equals(ResponseKeys.of(id).orElse(null))) {
        Files.deleteIfExists(root.resolve(key));
      }
      return;
    }
    Optional<SegmentPosition> at = SegmentPosition.parse(key);
    if (at.isEmpty()) {
      return;
    }
    SegmentPosition p = at.get();
    byte[] tombstone = SegmentLine.tombstone(id, p.length());
    try (FileChannel out = FileChannel.open(root.resolve(p.segment()), StandardOpenOption.WRITE, StandardOpenOption.READ)) {
      if (out.size() < p.offset() + p.length()) {
        return; // the line never reached the disk whole
      }
      ByteBuffer was = ByteBuffer.allocate(p.length());
      while (was.hasRemaining() && out.read(was, p.offset() + was.position()) >= 0) {
        // read the whole line
      }
      JsonObject json = SegmentLine.parse(was.array());
      if (json == null || !id.equals(json.getString("id"))) {
        return; // not this response's line (torn, or already a tombstone of it)
      }
      ByteBuffer b = ByteBuffer.wrap(tombstone);
      while (b.hasRemaining()) {
        out.write(b, p.offset() + b.position());
      }
      out.force(false);
    } catch (NoSuchFileException e) {
      // its day expired meanwhile
    }
  }

  /** Removes the day folders whose responses are all older than {@code retentionDays} whole days. */
  private void expire() {
    long today = LocalDate.now(clock).toEpochDay();
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> days = Files.newDirectoryStream(root)) {
      for (Path folder : days) {
        long day;
        try {
          day = LocalDate.parse(folder.getFileName().toString()).toEpochDay();
        } catch (DateTimeParseException e) {
          continue; // not a day folder of this store
        }
        if (day < today - retentionDays && !open.containsKey(day)) {
          deleteTree(folder);
          expiredDays.increment();
          LOG.info("removed the expired responses of {} (responses.retention_days: {})", folder.getFileName(), retentionDays);
        }
      }
    } catch (IOException e) {
      LOG.warn("could not remove expired responses under {}: {}", root, e.toString());
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void forceAll() {
    for (Segment s : open.values()) {
      if (s.unforced) {
        try {
          s.channel.force(false);
          s.unforced = false;
        } catch (IOException e) {
          LOG.warn("could not force {} to disk: {}", s.name, e.toString());
        }
      }
    }
  }

  private void closeSegment(Segment s) {
    try {
      if (s.unforced) {
        s.channel.force(false);
      }
      s.channel.close();
    } catch (IOException e) {
      LOG.warn("closing {}: {}", s.name, e.toString());
    }
  }

  private void fail(Op op, Throwable e) {
    complete(() -> {
      if (op instanceof Save s) {
        s.done().tryFail(e);
      } else if (op instanceof Delete d) {
        d.done().tryFail(e);
      }
    });
  }

  private void complete(Runnable outcomes) {
    if (context == null) {
      outcomes.run();
    } else {
      context.runOnContext(v -> outcomes.run());
    }
  }
}
