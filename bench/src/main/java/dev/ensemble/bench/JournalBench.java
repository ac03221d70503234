package dev.ensemble.bench;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.node.Gateway;
import dev.ensemble.persistence.InflightJournal;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The crash journal's costs. (1) Per streamed chunk on the event loop: {@link InflightJournal#event} (a queue offer)
 * timed around the calls, while the writer thread drains; (2) per chunk end to end: offer + the writer's encode,
 * checksum and write, from the first offer until {@code records_written} counts them all (fsync every 1000 ms as
 * the default); (3) recovery: a journal holding 10,000 responses left open (24 events each, ~80 characters of text
 * a delta) read back by a node starting on it: the time from {@code Gateway.start} to listening, against an empty
 * start, and the node's own {@code recovered in N ms} line.
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.ensemble.bench.JournalBench [events] [responses]}
 * (defaults 2,000,000 events in bursts of 1,000 chunks after as many warm-up events; 10,000 responses).
 */
public final class JournalBench {

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    int responses = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    Path root = Files.createTempDirectory("journal-bench");
    perChunk(root.resolve("chunks"), events, true);
    perChunk(root.resolve("chunks"), events, false);
    recovery(root.resolve("recovery"), responses);
  }

  private static JsonObject delta(int seq) {
    return new JsonObject().put("type", "block.delta").put("index", 0)
        .put("text", "a streamed chunk of about eighty characters, as a model writes them to a client.").put("seq", seq);
  }

  private static void perChunk(Path dir, int events, boolean warmup) throws Exception {
    InflightJournal journal = new InflightJournal(dir, 1000, 256L * 1024 * 1024);
    journal.open();
    JsonObject[] chunks = new JsonObject[1000];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = delta(i);
    }
    long offerNanos = 0;
    long start = System.nanoTime();
    int bursts = events / chunks.length;
    for (int b = 0; b < bursts; b++) {
      String id = "r-" + b;
      long t0 = System.nanoTime();
      for (JsonObject chunk : chunks) {
        journal.event(id, chunk);
      }
      offerNanos += System.nanoTime() - t0;
      journal.ended(id);
      // keep the writer's queue short, as a node streaming at the journal's pace does
      while (journal.stats().getLong("records_written") + journal.stats().getLong("records_dropped") < (long) (b + 1) * (chunks.length + 1) - 20_000) {
        Thread.onSpinWait();
      }
    }
    long target = (long) bursts * (chunks.length + 1);
    while (journal.stats().getLong("records_written") + journal.stats().getLong("records_dropped") < target) {
      Thread.onSpinWait();
    }
    long totalNanos = System.nanoTime() - start;
    journal.close();
    if (!warmup) {
      System.out.printf(Locale.ROOT, "per chunk: %.0f ns on the caller (queue offer), %.0f ns end to end (%d chunks, %.0f chunks/s, dropped %d, %d compactions)%n",
          (double) offerNanos / target, (double) totalNanos / target, target, target / (totalNanos / 1e9),
          journal.stats().getLong("records_dropped"), journal.stats().getInteger("compactions"));
    }
    deleteAll(dir);
  }

  private static void recovery(Path dir, int responses) throws Exception {
    Path journalDir = dir.resolve("journal");
    InflightJournal journal = new InflightJournal(journalDir, 1000, 1L << 30);
    journal.open();
    ModelConfig.Pricing pricing = new ModelConfig.Pricing(new BigDecimal("3"), new BigDecimal("15"), new BigDecimal("0.3"), new BigDecimal("3.75"));
    for (int r = 0; r < responses; r++) {
      String id = String.format(Locale.ROOT, "01jbench%018d", r);
      journal.started(id, null, "openai", "gpt-test", System.currentTimeMillis() / 1000, true);
      journal.routed(id, new dev.ensemble.persistence.JournalRoute("oai", "oai-1", "gpt-4o-mini", 1, "least_used", 500, pricing));
      journal.event(id, new JsonObject().put("type", "response.start").put("id", id).put("seq", 0));
      journal.event(id, new JsonObject().put("type", "block.start").put("index", 0).put("kind", "text").put("seq", 1));
      for (int e = 2; e < 24; e++) {
        journal.event(id, delta(e));
      }
      // paced as nodes stream: the writer's queue (bounded at 100,000 records) never overflows
      while (journal.stats().getLong("records_written") < (long) (r + 1) * 26 - 50_000) {
        Thread.onSpinWait();
      }
    }
    journal.close();
    long bytes;
    try (var files = Files.list(journalDir)) {
      bytes = files.mapToLong(p -> p.toFile().length()).sum();
    }
    System.out.printf(Locale.ROOT, "journal of %d open responses: %.1f MiB, %d records dropped%n", responses, bytes / 1048576.0,
        journal.stats().getLong("records_dropped"));
    long withJournal = startNode(dir);
    long empty = startNode(dir);
    System.out.printf(Locale.ROOT, "node start with %d responses to recover: %d ms; with none: %d ms (see 'recovered in' above)%n",
        responses, withJournal, empty);
    deleteAll(dir);
  }

  private static long startNode(Path dir) throws Exception {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse("""
        server: { host: 127.0.0.1, port: 0 }
        storage: { sqlite_path: %s }
        responses: { store: local, local_dir: %s }
        providers:
          mock: { type: mock, keys: [ { name: local, endpoints: [ { id: mock-1 } ] } ] }
        models:
          mock-1: { providers: [ { provider: mock } ] }
        """.formatted(dir.resolve("ensemble.db"), dir.resolve("responses")));
    Vertx vertx = Vertx.vertx();
    try {
      long t0 = System.nanoTime();
      Gateway node = Gateway.start(vertx, config).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      node.stop().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
      return ms;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
  }

  private static void deleteAll(Path dir) throws Exception {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
