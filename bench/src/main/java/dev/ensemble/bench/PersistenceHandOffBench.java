package dev.ensemble.bench;

import dev.ensemble.bus.Addresses;
import dev.ensemble.bus.LocalCodec;
import dev.ensemble.config.ResponsesConfig;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.persistence.PersistenceInbox;
import dev.ensemble.persistence.PersistenceVerticle;
import dev.ensemble.persistence.ResponseRecord;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * CPU and thread wake-ups per request of the hand-over from the request path to persistence, with a real
 * {@link PersistenceVerticle} (SQLite file, local segment store) in this JVM. An event loop plays the request path:
 * per request it hands over one ledger row and one finished response (~4.7 KB of JSON) and, when the response is
 * acknowledged, starts the next, keeping {@code c} requests in flight. Two ways to hand over:
 * <ul>
 *   <li>{@code bus}: as the gateway did until this change, an event-bus send of the row to {@code ensemble.persist.ledger}
 *   and an event-bus request of the record to {@code ensemble.persist.response} (run it against a jar of that time
 *   to measure "before");</li>
 *   <li>{@code inbox}: the node's {@link PersistenceInbox} (lock-free queues the worker takes in batches).</li>
 * </ul>
 * Reported per request: CPU by thread group ({@code ThreadMXBean}: the event loop, the Vert.x worker threads (the
 * persistence verticle, SQLite through the JDBC pool), the store's writer thread) and context switches by group
 * (voluntary + involuntary, from {@code /proc/self/task/<tid>/status}: every switch of a thread that had parked is a
 * wake-up of it). Record building is done before the round and not counted.
 *
 * <p>Usage: {@code java -cp <ensemble.jar>:/tmp/bench dev.ensemble.bench.PersistenceHandOffBench bus|inbox [n] [c] [rounds]}
 * (defaults 20,000 requests, c = 1, 3 rounds after a warm-up round).
 */
public final class PersistenceHandOffBench {

  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  private static final String[] GROUPS = {"vert.x-eventloop", "vert.x-worker", "ensemble-response-store"};
  private static final String[] COMMS = {"vert.x-eventloo", "vert.x-worker-t", "ensemble-respon"};

  /** One way of handing a request's row and record to persistence. */
  private interface HandOff {
    Future<?> deploy(Vertx vertx, ResponsesConfig responses, Path sqlite);

    Future<?> handOver(Vertx vertx, LedgerEntry row, ResponseRecord record);
  }

  private static final class Bus implements HandOff {
    @Override
    public Future<?> deploy(Vertx vertx, ResponsesConfig responses, Path sqlite) {
      vertx.eventBus().registerDefaultCodec(ResponseRecord.class, new LocalCodec<>(ResponseRecord.class));
      vertx.eventBus().registerDefaultCodec(LedgerEntry.class, new LocalCodec<>(LedgerEntry.class));
      return vertx.deployVerticle(new PersistenceVerticle(responses, sqlite, InflightJournal.disabled()),
          new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
    }

    @Override
    public Future<?> handOver(Vertx vertx, LedgerEntry row, ResponseRecord record) {
      vertx.eventBus().send(Addresses.PERSIST_LEDGER, row);
      return vertx.eventBus().request(Addresses.PERSIST_RESPONSE, record);
    }
  }

  private static final class Inbox implements HandOff {
    private final PersistenceInbox inbox = new PersistenceInbox();

    @Override
    public Future<?> deploy(Vertx vertx, ResponsesConfig responses, Path sqlite) {
      return vertx.deployVerticle(new PersistenceVerticle(responses, sqlite, InflightJournal.disabled(), inbox),
          new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER));
    }

    @Override
    public Future<?> handOver(Vertx vertx, LedgerEntry row, ResponseRecord record) {
      inbox.ledger(row);
      return inbox.store(record);
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "inbox";
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int c = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    HandOff handOff = mode.equals("bus") ? new Bus() : new Inbox();
    Path dir = Files.createTempDirectory("handoff-bench");
    Vertx vertx = Vertx.vertx();
    try {
      ResponsesConfig responses = new ResponsesConfig(ResponsesConfig.Store.LOCAL, dir.resolve("responses").toString(), null, 1_000_000);
      handOff.deploy(vertx, responses, dir.resolve("ensemble.db")).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      Context loop = vertx.getOrCreateContext();
      System.out.printf(Locale.ROOT, "%s, c = %d, %,d requests per round%n", mode, c, n);
      for (int r = 0; r <= rounds; r++) {
        List<LedgerEntry> rows = new ArrayList<>(n);
        List<ResponseRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String id = id(System.currentTimeMillis());
          rows.add(row(id));
          records.add(record(id));
        }
        Map<String, long[]> before = threads();
        long t0 = System.nanoTime();
        Promise<Void> done = Promise.promise();
        loop.runOnContext(v -> new Driver(vertx, handOff, rows, records, done).start(c));
        done.future().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
        long wall = System.nanoTime() - t0;
        Map<String, long[]> after = threads();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s %s: %,.0f req/s;", r == 0 ? "warm-up" : "round " + r, mode,
            n / (wall / 1e9)));
        double cpuTotal = 0;
        double switchTotal = 0;
        for (String g : GROUPS) {
          long[] a = after.getOrDefault(g, new long[2]);
          long[] b = before.getOrDefault(g, new long[2]);
          double cpu = (a[0] - b[0]) / 1e3 / n;
          double switches = (double) (a[1] - b[1]) / n;
          cpuTotal += cpu;
          switchTotal += switches;
          line.append(String.format(Locale.ROOT, " %s %.1f µs %.2f sw;", g, cpu, switches));
        }
        line.append(String.format(Locale.ROOT, " total %.1f µs CPU, %.2f context switches per request", cpuTotal, switchTotal));
        System.out.println(line);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      try (var walk = Files.walk(dir)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Keeps {@code c} requests in flight on the event loop until every row and record was handed over and acknowledged. */
  private static final class Driver {
    private final Vertx vertx;
    private final HandOff handOff;
    private final List<LedgerEntry> rows;
    private final List<ResponseRecord> records;
    private final Promise<Void> done;
    private int next;
    private int acknowledged;

    Driver(Vertx vertx, HandOff handOff, List<LedgerEntry> rows, List<ResponseRecord> records, Promise<Void> done) {
      this.vertx = vertx;
      this.handOff = handOff;
      this.rows = rows;
      this.records = records;
      this.done = done;
    }

    void start(int c) {
      for (int i = 0; i < c && next < rows.size(); i++) {
        one();
      }
    }

    private void one() {
      int i = next++;
      handOff.handOver(vertx, rows.get(i), records.get(i)).onComplete(ar -> {
        if (ar.failed()) {
          done.tryFail(ar.cause());
          return;
        }
        if (++acknowledged == rows.size()) {
          done.tryComplete();
        } else if (next < rows.size()) {
          one();
        }
      });
    }
  }

  /** CPU ns and context switches per thread group, now. */
  private static Map<String, long[]> threads() throws Exception {
    Map<String, long[]> byGroup = new LinkedHashMap<>();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
      if (t == null) {
        continue;
      }
      for (String g : GROUPS) {
        if (t.getThreadName().startsWith(g)) {
          long cpu = mx.getThreadCpuTime(t.getThreadId());
          byGroup.computeIfAbsent(g, k -> new long[2])[0] += Math.max(0, cpu);
        }
      }
    }
    Path tasks = Path.of("/proc/self/task");
    if (Files.isDirectory(tasks)) {
      try (var dirs = Files.list(tasks)) {
        for (Path task : dirs.toList()) {
          String comm;
          List<String> status;
          try {
            comm = Files.readString(task.resolve("comm")).trim();
            status = Files.readAllLines(task.resolve("status"));
          } catch (java.io.IOException gone) {
            continue;
          }
          for (int g = 0; g < GROUPS.length; g++) {
            if (comm.startsWith(COMMS[g])) {
              long switches = 0;
              for (String s : status) {
                if (s.startsWith("voluntary_ctxt_switches:") || s.startsWith("nonvoluntary_ctxt_switches:")) {
                  switches += Long.parseLong(s.substring(s.indexOf(':') + 1).trim());
                }
              }
              byGroup.computeIfAbsent(GROUPS[g], k -> new long[2])[1] += switches;
            }
          }
        }
      }
    }
    return byGroup;
  }

  private static LedgerEntry row(String id) {
    return new LedgerEntry(id, "client-1", "oai", "oai-1", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", new Usage(500L, 250L, null, null),
        new BigDecimal("0.000225"), 12, 10, 200, 1, "least_used", false, System.currentTimeMillis());
  }

  private static String id(long millis) {
    char[] id = new char[26];
    for (int i = 9; i >= 0; i--) {
      id[i] = ALPHABET.charAt((int) (millis & 31));
      millis >>>= 5;
    }
    for (int i = 10; i < 26; i++) {
      id[i] = ALPHABET.charAt(ThreadLocalRandom.current().nextInt(32));
    }
    return new String(id);
  }

  /** A chat-sized answer: a body with ~1 KB of text, 24 events, usage and cost (as {@code ResponseStoreBench}'s). */
  private static ResponseRecord record(String id) {
    String text = "A model's answer of about a thousand characters, as a chat client gets it back. ".repeat(12);
    JsonArray events = new JsonArray().add(new JsonObject().put("type", "response.start").put("id", id).put("seq", 0));
    for (int i = 1; i < 24; i++) {
      events.add(new JsonObject().put("type", "block.delta").put("index", 0).put("text", text.substring(0, 40)).put("seq", i));
    }
    JsonObject body = new JsonObject().put("id", "chatcmpl-" + id).put("object", "chat.completion").put("model", "gpt-4o-mini")
        .put("choices", new JsonArray().add(new JsonObject().put("index", 0).put("finish_reason", "stop")
            .put("message", new JsonObject().put("role", "assistant").put("content", text))))
        .put("usage", new JsonObject().put("prompt_tokens", 500).put("completion_tokens", 250).put("total_tokens", 750));
    Instant now = Instant.now();
    return new ResponseRecord(id, ResponseRecord.Status.COMPLETED, "openai", "gpt-4o-mini", "oai", "oai-1", now, now, text, "stop",
        new Usage(500L, 250L, null, null), new BigDecimal("0.000225"), false, body, events, null, "client-1", null);
  }
}
