package dev.ensemble.persistence;

import dev.ensemble.model.Usage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local store's segment files: what is read back after a restart, a delete, an expiry, a crash. */
@ExtendWith(VertxExtension.class)
class LocalResponseStoreTest {

  private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
  private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

  @TempDir
  Path dir;
  private final List<LocalResponseStore> stores = new ArrayList<>();

  @AfterEach
  void closeStores() throws Exception {
    for (LocalResponseStore s : stores) {
      await(s.close());
    }
  }

  private LocalResponseStore open(Clock clock, int retentionDays) {
    LocalResponseStore store = new LocalResponseStore(dir, 1_000, retentionDays, clock, null);
    stores.add(store);
    return store;
  }

  private LocalResponseStore open() {
    return open(Clock.fixed(NOW, ZoneOffset.UTC), 0);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** A request id of {@code at} (its first ten characters are the time in Crockford base32), as ingress makes them. */
  static String idAt(Instant at) {
    char[] id = new char[26];
    long millis = at.toEpochMilli();
    for (int i = 9; i >= 0; i--) {
      id[i] = ALPHABET.charAt((int) (millis & 31));
      millis >>>= 5;
    }
    for (int i = 10; i < 26; i++) {
      id[i] = ALPHABET.charAt(ThreadLocalRandom.current().nextInt(32));
    }
    return new String(id);
  }

  static ResponseRecord record(String id, String text) {
    return new ResponseRecord(id, ResponseRecord.Status.COMPLETED, "openai", "gpt-test", "oai", "oai-1", Instant.parse("2026-12-05T11:59:59Z"),
        Instant.parse("2026-12-05T12:00:00Z"), text, "stop", new Usage(10L, 5L, null, null), new BigDecimal("0.0001"), false,
        new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("text", text))),
        new JsonArray().add(new JsonObject().put("type", "response.start").put("seq", 0)), null, "client-1", null);
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  @Test
  void responsesSavedBeforeARestartAreReadBackFromTheirSegment() throws Exception {
    LocalResponseStore first = open();
    List<String> ids = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String id = idAt(NOW.minusSeconds(i));
      ids.add(id);
      keys.add(await(first.save(record(id, "answer " + i))));
    }
    await(first.close());

    LocalResponseStore second = open();
    for (int i = 0; i < ids.size(); i++) {
      Optional<ResponseRecord> read = await(second.load(ids.get(i), keys.get(i)));
      assertTrue(read.isPresent(), "response " + i);
      assertEquals("answer " + i, read.get().text());
      assertEquals(record(ids.get(i), "answer " + i).toJson(), read.get().toJson());
    }
    assertEquals(1, segments().size(), "50 responses of one day share one segment file");
    assertTrue(keys.get(0).startsWith("2026-12-05/seg-"), keys.get(0));
  }

  @Test
  void aDeletedResponseStaysDeletedAndLeavesTheDisk() throws Exception {
    LocalResponseStore first = open();
    String kept = idAt(NOW);
    String gone = idAt(NOW);
    String keptKey = await(first.save(record(kept, "keep me")));
    String goneKey = await(first.save(record(gone, "a secret the client deleted")));
    await(first.delete(gone, goneKey));
    await(first.close());

    LocalResponseStore second = open();
    assertEquals(Optional.empty(), await(second.load(gone, goneKey)));
    assertEquals("keep me", await(second.load(kept, keptKey)).orElseThrow().text());
    String onDisk = Files.readString(segments().get(0), StandardCharsets.UTF_8);
    assertFalse(onDisk.contains("a secret the client deleted"), "the deleted content was overwritten");
    assertTrue(onDisk.contains("\"deleted\":true"), onDisk);
  }

  @Test
  void daysOlderThanTheRetentionAreRemovedWithTheirSegments() throws Exception {
    LocalResponseStore writer = open();
    String old = idAt(NOW.minusSeconds(3 * 86_400));
    String recent = idAt(NOW.minusSeconds(86_400));
    String oldKey = await(writer.save(record(old, "three days ago")));
    String recentKey = await(writer.save(record(recent, "yesterday")));
    await(writer.close());
    Path legacyDay = dir.resolve(LocalDate.ofEpochDay(NOW.getEpochSecond() / 86_400 - 5).toString());
    Files.createDirectories(legacyDay);
    Files.writeString(legacyDay.resolve(idAt(NOW.minusSeconds(5 * 86_400)) + ".json"), "{}");

    LocalResponseStore expiring = open(Clock.fixed(NOW, ZoneOffset.UTC), 2);
    // the writer expires at start; a save after it is processed once the expiry ran
    await(expiring.save(record(idAt(NOW), "today")));

    assertEquals(Optional.empty(), await(expiring.load(old, oldKey)));
    assertEquals("yesterday", await(expiring.load(recent, recentKey)).orElseThrow().text());
    assertFalse(Files.exists(dir.resolve(oldKey.substring(0, 10))), "the expired day's folder is gone");
    assertFalse(Files.exists(legacyDay), "so is a day of one file per response");
    assertTrue(Files.exists(dir.resolve(recentKey.substring(0, 10))));
    assertEquals(2, expiring.describe().getLong("expired_days"));
  }

  @Test
  void concurrentSavesFromSeveralEventLoopsAreAllReadBack(Vertx vertx) throws Exception {
    LocalResponseStore store = open();
    int loops = 4;
    int each = 250;
    List<Future<List<String[]>>> all = new ArrayList<>();
    Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    for (int l = 0; l < loops; l++) {
      int loop = l;
      io.vertx.core.Promise<List<String[]>> done = io.vertx.core.Promise.promise();
      all.add(done.future());
      // one verticle per event loop, all saving at once
      vertx.deployVerticle(new io.vertx.core.VerticleBase() {
        @Override
        public Future<?> start() {
          threads.add(Thread.currentThread());
          List<Future<String[]>> saves = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            String id = idAt(NOW);
            String text = "loop " + loop + " answer " + i;
            saves.add(store.save(record(id, text)).map(key -> new String[] {id, key, text}));
          }
          Future.all(saves).onComplete(ar -> {
            if (ar.failed()) {
              done.fail(ar.cause());
            } else {
              List<String[]> out = new ArrayList<>();
              saves.forEach(f -> out.add(f.result()));
              done.complete(out);
            }
          });
          return Future.succeededFuture();
        }
      });
    }
    Set<String> keys = new HashSet<>();
    for (Future<List<String[]>> f : all) {
      for (String[] saved : await(f)) {
        assertTrue(keys.add(saved[1]), "every response has its own place");
        assertEquals(saved[2], await(store.load(saved[0], saved[1])).orElseThrow().text());
      }
    }
    assertEquals(loops * each, keys.size());
    assertTrue(threads.size() > 1, "saved from " + threads);
  }

  @Test
  void aTornLastRecordIsSkippedAndTheStoreKeepsWorking() throws Exception {
    LocalResponseStore first = open();
    String whole = idAt(NOW);
    String torn = idAt(NOW);
    String wholeKey = await(first.save(record(whole, "reached the disk")));
    String tornKey = await(first.save(record(torn, "cut by the crash")));
    await(first.close());
    Path segment = segments().get(0);
    try (FileChannel out = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      out.truncate(Files.size(segment) - 40); // the machine died before the last line was on disk
    }

    LocalResponseStore second = open();
    assertEquals(Optional.empty(), await(second.load(torn, tornKey)), "the torn line reads as absent");
    assertEquals("reached the disk", await(second.load(whole, wholeKey)).orElseThrow().text());
    await(second.delete(torn, tornKey));
    String after = idAt(NOW);
    String afterKey = await(second.save(record(after, "after the restart")));
    assertEquals("after the restart", await(second.load(after, afterKey)).orElseThrow().text());
    assertEquals(2, segments().size(), "a restart appends to a new segment, never after a torn tail");
  }

  @Test
  void aResponseStoredAsOneFileBeforeSegmentsIsReadAndDeleted() throws Exception {
    String id = idAt(NOW);
    String legacyKey = ResponseKeys.of(id).orElseThrow();
    Files.createDirectories(dir.resolve(legacyKey).getParent());
    Files.writeString(dir.resolve(legacyKey), record(id, "from the old layout").toJson().encode());

    LocalResponseStore store = open();
    assertEquals("from the old layout", await(store.load(id, legacyKey)).orElseThrow().text());
    await(store.delete(id, legacyKey));
    assertFalse(Files.exists(dir.resolve(legacyKey)));
    assertEquals(Optional.empty(), await(store.load(id, legacyKey)));
  }

  @Test
  void aLineWrittenFromTheRecordsTreeBeforeBodiesWereKeptAsBytesIsReadDeletedAndSavedAgain() throws Exception {
    // a segment as the store wrote it until 2026-12-05: each line the record's JSON tree encoded
    String id = idAt(NOW);
    ResponseRecord old = record(id, "written from its tree");
    byte[] line = SegmentLine.line(old.toJson().encode().getBytes(StandardCharsets.UTF_8));
    String segment = "2026-12-05/seg-1764900000000-1abcdef0.log";
    Files.createDirectories(dir.resolve(segment).getParent());
    Files.write(dir.resolve(segment), line);
    String key = segment + "#0+" + line.length;

    LocalResponseStore store = open();
    ResponseRecord read = await(store.load(id, key)).orElseThrow();
    assertEquals(old.toJson(), read.toJson());
    assertEquals(new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("text", "written from its tree"))),
        read.body().json());
    String again = await(store.save(read));
    assertEquals(old.toJson(), await(store.load(id, again)).orElseThrow().toJson());
    await(store.delete(id, key));
    assertEquals(Optional.empty(), await(store.load(id, key)));
  }

  @Test
  void theBodyIsStoredAsTheBytesTheClientWasSent() throws Exception {
    String id = idAt(NOW);
    String sent = "{ \"choices\": [ { \"text\": \"caf\\u00e9\" } ],\n  \"n\": 1.50 }";
    ResponseRecord tree = record(id, "café");
    ResponseRecord record = new ResponseRecord(id, tree.status(), tree.clientFormat(), tree.model(), tree.provider(), tree.endpoint(),
        tree.createdAt(), tree.completedAt(), tree.text(), tree.stopReason(), tree.usage(), tree.costUsd(), tree.truncated(),
        AnswerBody.of(io.vertx.core.buffer.Buffer.buffer(sent)), tree.events(), tree.error(), tree.clientId(), null, null, null);
    LocalResponseStore store = open();
    String key = await(store.save(record));
    await(store.close());

    assertTrue(Files.readString(segments().get(0), StandardCharsets.UTF_8).contains("\"body\":" + sent + ","), "the bytes as sent");
    assertEquals(new JsonObject(sent), await(open().load(id, key)).orElseThrow().body().json());
  }

  @Test
  void requestIdsAreCheckedWithoutAPattern() {
    String id = idAt(NOW);
    assertEquals(Optional.of("2026-12-05/" + id + ".json"), ResponseKeys.of(id));
    assertFalse(ResponseKeys.valid("../../etc/passwd"));
    assertFalse(ResponseKeys.valid(id.toUpperCase()));
    assertFalse(ResponseKeys.valid(id.substring(1)));
    assertFalse(ResponseKeys.valid("i" + id.substring(1)), "i is not a Crockford digit of the time");
    assertTrue(ResponseKeys.valid(id.substring(0, 25) + "u"), "after the time any lower-case letter or digit");
  }
}
