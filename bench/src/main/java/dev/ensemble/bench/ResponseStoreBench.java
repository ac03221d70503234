package dev.ensemble.bench;

import dev.ensemble.model.Usage;
import dev.ensemble.persistence.LocalResponseStore;
import dev.ensemble.persistence.ResponseKeys;
import dev.ensemble.persistence.ResponseRecord;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Saves per second and process CPU per save of the local response store, interleaved in one run: "before", one file
 * per response as the store wrote them until 2026-12-05 (its code is reproduced here: folder check, temporary file,
 * atomic rename), against "after", {@link LocalResponseStore}'s segments (one writer thread, batched appends).
 * Each round saves {@code n} chat-sized responses (~2.5 KB of JSON) with up to 512 in flight, as the persistence
 * verticle does; CPU is {@code OperatingSystemMXBean.getProcessCpuTime} over the round (every thread of the JVM).
 * Also the id check: the old regex against {@link ResponseKeys#of}.
 *
 * <p>Usage: {@code java -cp target/ensemble.jar:/tmp/bench dev.ensemble.bench.ResponseStoreBench [n] [rounds]}
 * (defaults 20,000 responses, 3 rounds of each).
 */
public final class ResponseStoreBench {

  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  private static final Pattern OLD_ID = Pattern.compile("[0-9a-z]{26}");

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path root = Files.createTempDirectory("store-bench");
    List<ResponseRecord> records = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      records.add(record(id(System.currentTimeMillis())));
    }
    System.out.printf(Locale.ROOT, "one response: %d bytes of JSON%n", records.get(0).toJson().toBuffer().length());
    // warm-up of both
    filePerResponse(root.resolve("warm-files"), records.subList(0, Math.min(n, 5_000)));
    segments(root.resolve("warm-segments"), records.subList(0, Math.min(n, 5_000)));
    for (int r = 1; r <= rounds; r++) {
      report("before: a file per response", r, n, filePerResponse(root.resolve("files-" + r), records));
      report("after:  segments            ", r, n, segments(root.resolve("segments-" + r), records));
    }
    ids(records);
    deleteAll(root);
  }

  private static void report(String what, int round, int n, long[] wallAndCpu) {
    System.out.printf(Locale.ROOT, "round %d %s: %,.0f saves/s, %.1f µs CPU per save (%d saves in %d ms)%n", round, what,
        n / (wallAndCpu[0] / 1e9), wallAndCpu[1] / 1e3 / n, n, wallAndCpu[0] / 1_000_000);
  }

  private static long cpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** What {@code LocalResponseStore.save} did until segments: encode, folder, temporary file, atomic rename. */
  private static long[] filePerResponse(Path root, List<ResponseRecord> records) throws Exception {
    long cpu0 = cpu();
    long t0 = System.nanoTime();
    for (ResponseRecord record : records) {
      String key = oldKey(record.id());
      Path file = root.resolve(key);
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, record.toJson().toBuffer().getBytes());
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return new long[] {System.nanoTime() - t0, cpu() - cpu0};
  }

  private static long[] segments(Path root, List<ResponseRecord> records) throws Exception {
    LocalResponseStore store = new LocalResponseStore(root, 1_000, 0, java.time.Clock.systemUTC(), null);
    long cpu0 = cpu();
    long t0 = System.nanoTime();
    List<Future<String>> inFlight = new ArrayList<>(512);
    for (ResponseRecord record : records) {
      inFlight.add(store.save(record));
      if (inFlight.size() == 512) {
        Future.all(inFlight).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
        inFlight.clear();
      }
    }
    Future.all(inFlight).toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    long[] out = {System.nanoTime() - t0, cpu() - cpu0};
    store.close().toCompletionStage().toCompletableFuture().get(1, TimeUnit.MINUTES);
    return out;
  }

  private static void ids(List<ResponseRecord> records) {
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      long sink = 0;
      for (int k = 0; k < 20; k++) {
        for (ResponseRecord r : records) {
          sink += oldKey(r.id()).length();
        }
      }
      long old = System.nanoTime() - t0;
      t0 = System.nanoTime();
      for (int k = 0; k < 20; k++) {
        for (ResponseRecord r : records) {
          sink += ResponseKeys.of(r.id()).orElseThrow().length();
        }
      }
      long now = System.nanoTime() - t0;
      if (round == 1) {
        System.out.printf(Locale.ROOT, "id to key: regex + Instant %.0f ns, one pass %.0f ns (%d)%n", (double) old / (20.0 * records.size()),
            (double) now / (20.0 * records.size()), sink % 10);
      }
    }
  }

  /** {@code ResponseKeys.of} as it was: a regex, then the day through {@code ZonedDateTime}. */
  private static String oldKey(String id) {
    if (!OLD_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(id);
    }
    long millis = 0;
    for (int i = 0; i < 10; i++) {
      millis = (millis << 5) | ALPHABET.indexOf(id.charAt(i));
    }
    return Instant.ofEpochMilli(millis).atZone(java.time.ZoneOffset.UTC).toLocalDate() + "/" + id + ".json";
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

  /** A chat-sized answer: a body with ~1 KB of text, 24 events, usage and cost. */
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

  private static void deleteAll(Path dir) throws Exception {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
