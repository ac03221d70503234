package dev.ensemble.persistence;

import io.vertx.core.json.JsonObject;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The ledger's overflow: an append-only JSON-lines file of rows that could not be queued or written. To
 * replay, the file is first moved aside ({@code <name>.replaying}) so rows spilled meanwhile start a new file;
 * the moved file is deleted only once its rows are stored. A {@code .replaying} file left by a crash is
 * replayed first. Blocking file I/O: in the gateway only the persistence worker verticle calls it (never an
 * event loop, never the request path, which only queues ledger rows in the {@link LedgerQueue}). Its methods are synchronized
 * so direct callers (tests driving the {@link LedgerWriter} from their own threads) stay safe too; in the
 * gateway the monitor is never contended.
 */
final class SpillFile {

  private final Path file;
  private final Path replaying;

  SpillFile(Path file) {
    this.file = file;
    this.replaying = file.resolveSibling(file.getFileName() + ".replaying");
  }

  Path path() {
    return file;
  }

  synchronized void append(Collection<LedgerEntry> rows) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
      for (LedgerEntry row : rows) {
        out.write(LedgerEntryJson.toJson(row).encode());
        out.write('\n');
      }
    }
  }

  synchronized boolean hasRows() {
    return nonEmpty(replaying) || nonEmpty(file);
  }

  /**
   * The rows to replay next (those of a replay left unfinished, else all spilled so far), or empty when there
   * are none. Call {@link #replayed()} once they are stored.
   */
  synchronized Optional<List<LedgerEntry>> takeForReplay() throws IOException {
    if (!nonEmpty(replaying)) {
      if (!nonEmpty(file)) {
        return Optional.empty();
      }
      Files.move(file, replaying, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    List<LedgerEntry> rows = new ArrayList<>();
    for (String line : Files.readAllLines(replaying, StandardCharsets.UTF_8)) {
      // A crash can leave a last line half written; its row was never acknowledged as spilled whole.
      if (line.isBlank()) {
        continue;
      }
      try {
        rows.add(LedgerEntryJson.fromJson(new JsonObject(line)));
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(SpillFile.class).warn("skipping an unreadable line of {}: {}", replaying, e.toString());
      }
    }
    return Optional.of(rows);
  }

  synchronized void replayed() throws IOException {
    Files.deleteIfExists(replaying);
  }

  private static boolean nonEmpty(Path p) {
    try {
      return Files.exists(p) && Files.size(p) > 0;
    } catch (IOException e) {
      return true;
    }
  }
}
