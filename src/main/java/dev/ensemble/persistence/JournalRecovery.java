package dev.ensemble.persistence;

import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.StreamedUsage;
import dev.ensemble.model.Usage;
import dev.ensemble.pricing.CostCalculator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back the {@link InflightJournal} files of nodes that are gone (their lock is free) and turns every response
 * they left open into what the node would have persisted had it not died: a {@code failed} response with reason
 * {@code interrupted}, the text, events and usage seen so far, and its ledger row. Output tokens are those the
 * provider reported when its final usage arrived, else counted from the streamed events (4 characters a token, as
 * for a client's cancel), which the row's {@code route_reason} says. A response whose end was journalled but whose
 * ledger row never committed (the node died between the two) is recovered as that row only, exactly as the node
 * sent it; one whose row committed but whose end was not journalled gets its response and no row. The ledger keys
 * rows by request id and ignores one it has, so a row committed just before the crash is never written twice.
 * A torn or corrupt line is skipped (counted).
 * Blocking file I/O: the persistence worker runs it before the node takes requests. The orphans stay locked by this
 * recovery until {@link #delete} removes them once their responses are stored.
 */
final class JournalRecovery implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JournalRecovery.class);

  /**
   * One response left open by a gone node, as it will be persisted.
   *
   * @param response the failed ({@code interrupted}) response to store, or null when the node already settled it
   * @param ledger   its ledger row to write, or null when the ledger already committed it
   */
  record Interrupted(ResponseRecord response, LedgerEntry ledger) {}

  private final List<Orphan> orphans = new ArrayList<>();
  private final List<Interrupted> interrupted = new ArrayList<>();
  private int files;
  private int records;
  private int skipped;
  private int outputEstimated;
  private int rowsOnly;

  private record Orphan(Path file, FileChannel channel, FileLock lock) {}

  private JournalRecovery() {
  }

  /** Locks and reads every orphaned journal file of {@code dir}; {@code now} stamps the recovered responses. */
  static JournalRecovery scan(Path dir, Instant now) throws IOException {
    JournalRecovery recovery = new JournalRecovery();
    if (dir == null || !Files.isDirectory(dir)) {
      return recovery;
    }
    Map<String, Open> byId = new LinkedHashMap<>();
    try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, InflightJournal.PREFIX + "*" + InflightJournal.SUFFIX)) {
      for (Path file : logs) {
        recovery.readIfOrphan(file, byId);
      }
    }
    byId.values().forEach(open -> recovery.interrupted.add(recovery.toInterrupted(open, now)));
    return recovery;
  }

  List<Interrupted> interrupted() {
    return interrupted;
  }

  /** What recovery found, for the log. */
  String summary() {
    return files + " journal files of stopped nodes, " + records + " records, " + skipped + " torn or corrupt lines skipped, "
        + (interrupted.size() - rowsOnly) + " responses interrupted (" + outputEstimated + " with output counted from their events), "
        + rowsOnly + " ledger rows of ended responses restored";
  }

  int skipped() {
    return skipped;
  }

  /** The responses are stored: the orphans go. */
  void delete() throws IOException {
    for (Orphan o : orphans) {
      Files.deleteIfExists(o.file());
    }
    close();
  }

  @Override
  public void close() {
    for (Orphan o : orphans) {
      try {
        o.lock().release();
        o.channel().close();
      } catch (IOException e) {
        LOG.warn("releasing {}: {}", o.file(), e.toString());
      }
    }
    orphans.clear();
  }

  private void readIfOrphan(Path file, Map<String, Open> byId) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // a node of this JVM writes it
    }
    if (lock == null) {
      channel.close();
      return;
    }
    orphans.add(new Orphan(file, channel, lock));
    files++;
    BufferedReader in = new BufferedReader(Channels.newReader(channel.position(0), StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      JsonObject json = JournalLine.parse(line);
      if (json == null) {
        skipped++;
        continue;
      }
      records++;
      String id = json.getString("id");
      JsonObject body = json.getJsonObject("b");
      switch (json.getString("k", "")) {
        case "s" -> byId.computeIfAbsent(id, Open::new).meta = body;
        case "r" -> byId.computeIfAbsent(id, Open::new).route = body;
        case "e" -> byId.computeIfAbsent(id, Open::new).events.add(body);
        case "es" -> {
          JsonArray events = body == null ? null : body.getJsonArray("events");
          if (events == null) {
            skipped++;
          } else {
            JsonArray into = byId.computeIfAbsent(id, Open::new).events;
            events.forEach(into::add);
            records += events.size() - 1; // a record per event, as when each had its line
          }
        }
        case "x" -> {
          Open open = byId.get(id);
          if (body == null || open == null || open.billed) {
            byId.remove(id);
          } else {
            open.pendingRow = body;
          }
        }
        case "l" -> {
          Open open = byId.get(id);
          if (open != null && open.pendingRow != null) {
            byId.remove(id);
          } else if (open != null) {
            open.billed = true;
          }
        }
        default -> skipped++;
      }
    }
  }

  /** The records of one response read so far. */
  private static final class Open {
    final String id;
    JsonObject meta = new JsonObject();
    JsonObject route = new JsonObject();
    final JsonArray events = new JsonArray();
    /** The ledger row sent when the response ended, not yet committed; null while the response is in flight. */
    JsonObject pendingRow;
    /** The ledger committed the response's row. */
    boolean billed;

    Open(String id) {
      this.id = id;
    }
  }

  private Interrupted toInterrupted(Open open, Instant now) {
    if (open.pendingRow != null) {
      rowsOnly++;
      return new Interrupted(null, LedgerEntryJson.fromJson(open.pendingRow));
    }
    StringBuilder text = new StringBuilder();
    Map<Integer, String> kinds = new HashMap<>();
    long chars = 0;
    Usage reported = null;
    for (int i = 0; i < open.events.size(); i++) {
      JsonObject e = open.events.getJsonObject(i);
      switch (e.getString("type", "")) {
        case "block.start" -> kinds.put(e.getInteger("index", -1), e.getString("kind"));
        case "block.delta" -> {
          String t = e.getString("text");
          String json = e.getString("partial_json");
          chars += (t == null ? 0 : t.length()) + (json == null ? 0 : json.length());
          if (t != null && "text".equals(kinds.get(e.getInteger("index", -1)))) {
            text.append(t);
          }
        }
        case "response.end" -> {
          JsonObject u = e.getJsonObject("usage", new JsonObject());
          reported = Usage.fromJson(u);
        }
        default -> { }
      }
    }
    JsonObject route = open.route;
    boolean estimated = reported == null || reported.output() == null;
    Usage usage = estimated
        ? StreamedUsage.estimate(reported, route.getLong("input_estimate", 0L), chars)
        : reported;
    if (estimated) {
      outputEstimated++;
    }
    BigDecimal cost = route.containsKey("pricing") ? CostCalculator.cost(usage, pricing(route.getJsonObject("pricing"))) : null;
    JsonObject error = new JsonObject().put("status", 503).put("type", "interrupted").put("reason", "interrupted")
        .put("message", "The node stopped while this answer was in flight; the text and usage are those seen until then")
        .put("retryable", true);
    JsonArray events = open.events.copy();
    // after the last event's seq: the stream path journals the deltas of one upstream read as one, numbered by the last
    int next = events.isEmpty() ? 0 : events.getJsonObject(events.size() - 1).getInteger("seq", events.size() - 1) + 1;
    events.add(new JsonObject().put("type", "error").put("error", error.copy()).put("seq", next));
    JsonObject meta = open.meta;
    Instant created = Instant.ofEpochSecond(meta.getLong("created", now.getEpochSecond()));
    ResponseRecord response = new ResponseRecord(open.id, ResponseRecord.Status.FAILED, meta.getString("format"), meta.getString("model"),
        route.getString("provider"), route.getString("endpoint"), created, now, text.toString(), "error", usage, cost, true, null,
        events, error, meta.getString("client_id"), null);
    String reason = (route.getString("reason") == null ? "" : route.getString("reason") + "; ") + (estimated
        ? "interrupted: output tokens counted from " + chars + " streamed characters (4 a token), input estimated from the prompt"
        : "interrupted: usage as the provider reported it");
    LedgerEntry ledger = new LedgerEntry(open.id, meta.getString("client_id"), route.getString("provider"), route.getString("endpoint"),
        meta.getString("model"), route.getString("upstream_model"), usage, cost,
        Math.max(0, now.toEpochMilli() - created.toEpochMilli()), -1, open.events.isEmpty() ? 503 : 200,
        route.getInteger("attempts", 0), reason, meta.getBoolean("stream", false), now.toEpochMilli());
    return new Interrupted(response, open.billed ? null : ledger);
  }

  private static ModelConfig.Pricing pricing(JsonObject p) {
    return new ModelConfig.Pricing(decimal(p, "input"), decimal(p, "output"), decimal(p, "cache_read"), decimal(p, "cache_write"));
  }

  private static BigDecimal decimal(JsonObject p, String key) {
    String v = p.getString(key);
    return v == null ? BigDecimal.ZERO : new BigDecimal(v);
  }
}
