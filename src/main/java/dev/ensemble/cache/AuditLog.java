package dev.ensemble.cache;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The audit trail of the response cache: one JSON object per line in {@code <dir>/cache-audits.jsonl}, rotated when
 * it passes {@code maxBytes} ({@code .1} is the newest rotated file, up to {@code files} kept), and the most recent
 * {@value #RECENT} records in memory for {@code GET /admin/cache}. {@link #append} blocks on file I/O: it runs on a
 * worker thread; the methods are synchronized (one writer at a time, readers copy).
 */
public final class AuditLog {

  static final int RECENT = 200;
  private static final String NAME = "cache-audits.jsonl";

  private final Path dir;
  private final long maxBytes;
  private final int files;
  private final Deque<JsonObject> recent = new ArrayDeque<>();

  public AuditLog(Path dir, long maxBytes, int files) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.files = files;
  }

  public Path file() {
    return dir.resolve(NAME);
  }

  public synchronized void append(JsonObject record) {
    recent.addFirst(record);
    while (recent.size() > RECENT) {
      recent.removeLast();
    }
    try {
      Files.createDirectories(dir);
      Path file = file();
      if (Files.exists(file) && Files.size(file) >= maxBytes) {
        rotate();
      }
      Files.writeString(file, record.encode() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The most recent records, newest first. */
  public synchronized JsonArray recent(int limit) {
    JsonArray out = new JsonArray();
    for (JsonObject r : recent) {
      if (out.size() >= limit) {
        break;
      }
      out.add(r.copy());
    }
    return out;
  }

  private void rotate() throws IOException {
    Files.deleteIfExists(dir.resolve(NAME + "." + files));
    for (int i = files - 1; i >= 1; i--) {
      Path from = dir.resolve(NAME + "." + i);
      if (Files.exists(from)) {
        Files.move(from, dir.resolve(NAME + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(file(), dir.resolve(NAME + ".1"), StandardCopyOption.REPLACE_EXISTING);
  }
}
