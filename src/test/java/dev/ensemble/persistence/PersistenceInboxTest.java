package dev.ensemble.persistence;

import dev.ensemble.bus.Addresses;
import dev.ensemble.config.ResponsesConfig;
import dev.ensemble.testing.gateway.GatewayExtension;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hand-over from the request path to the persistence verticle without the event bus: ledger rows and finished
 * responses offered on event loops into the node's {@link PersistenceInbox}, taken by a real persistence verticle
 * (SQLite file, local segment store) in batches.
 */
class PersistenceInboxTest {

  private final Vertx vertx = Vertx.vertx();
  private final Path dir = Path.of(GatewayExtension.scratchDir("inbox"));
  private final ResponsesConfig responses = new ResponsesConfig(ResponsesConfig.Store.LOCAL, dir.resolve("responses").toString(), null, 10_000);

  @AfterEach
  void close() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private String deploy(PersistenceInbox inbox) throws Exception {
    return await(vertx.deployVerticle(new PersistenceVerticle(responses, dir.resolve("ensemble.db"), InflightJournal.disabled(), inbox),
        new DeploymentOptions().setThreadingModel(ThreadingModel.WORKER)));
  }

  /** Runs {@code task} on a new event-loop context and hands back what it returns. */
  private <T> T onEventLoop(Context loop, java.util.function.Supplier<T> task) throws Exception {
    Promise<T> done = Promise.promise();
    loop.runOnContext(v -> done.complete(task.get()));
    return await(done.future());
  }

  private long requestsInTheLedger() throws Exception {
    JsonObject query = new UsageQuery(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"), List.of()).toJson();
    JsonObject answer = await(vertx.eventBus().<JsonObject>request(Addresses.PERSIST_USAGE, query)).body();
    JsonArray rows = answer.getJsonArray("rows");
    return rows.isEmpty() ? 0 : rows.getJsonObject(0).getLong("requests", 0L);
  }

  private JsonObject ledgerStats() throws Exception {
    return await(vertx.eventBus().<JsonObject>request(Addresses.PERSIST_STATUS, null)).body().getJsonObject("ledger");
  }

  @Test
  void aRowQueuedOnAnEventLoopIsInTheAnswerOfAUsageQuestionAskedRightAfter() throws Exception {
    PersistenceInbox inbox = new PersistenceInbox();
    deploy(inbox);
    Context loop = vertx.getOrCreateContext();

    Future<io.vertx.core.eventbus.Message<JsonObject>> asked = onEventLoop(loop, () -> {
      inbox.ledger(LedgerWriterTest.row(1));
      return vertx.eventBus().request(Addresses.PERSIST_USAGE,
          new UsageQuery(Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"), List.of()).toJson());
    });

    JsonArray rows = await(asked).body().getJsonArray("rows");
    assertEquals(1L, rows.getJsonObject(0).getLong("requests"), rows.encode());
  }

  @Test
  void rowsThatOverflowTheQueueOnAnEventLoopAreSpilledByTheWorkerAndNoneIsLost() throws Exception {
    PersistenceInbox inbox = new PersistenceInbox(new LedgerQueue(8, 4));
    deploy(inbox);
    Context loop = vertx.getOrCreateContext();

    onEventLoop(loop, () -> {
      for (int i = 0; i < 300; i++) {
        inbox.ledger(LedgerWriterTest.row(i));
      }
      return null;
    });

    assertEquals(300, requestsInTheLedger());
    JsonObject stats = ledgerStats();
    assertTrue(stats.getLong("overflowed") > 0, stats.encode());
    assertEquals(stats.getLong("overflowed"), stats.getLong("spilled"), "every overflowed row went to the spill file: " + stats.encode());
    assertEquals(0L, stats.getLong("lost"));
  }

  @Test
  void recordsOfferedOnSeveralEventLoopsAreAllStoredAndEachOutcomeArrivesOnItsOwnLoop() throws Exception {
    PersistenceInbox inbox = new PersistenceInbox();
    deploy(inbox);
    List<Context> loops = List.of(vertx.getOrCreateContext(), vertx.getOrCreateContext(), vertx.getOrCreateContext());
    List<String> ids = new ArrayList<>();
    List<Future<Void>> outcomes = new ArrayList<>();
    for (Context loop : loops) {
      List<String> mine = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        mine.add(LocalResponseStoreTest.idAt(Instant.now()));
      }
      ids.addAll(mine);
      outcomes.addAll(onEventLoop(loop, () -> mine.stream().map(id -> inbox.store(LocalResponseStoreTest.record(id, "answer " + id))
          .map(v -> {
            assertSame(loop, Vertx.currentContext(), "the outcome runs on the loop that offered the record");
            return v;
          })).toList()));
    }

    await(Future.all(outcomes));

    for (String id : ids) {
      JsonObject stored = await(vertx.eventBus().<JsonObject>request(Addresses.PERSIST_RESPONSE_GET, id)).body();
      assertEquals(id, stored.getString("id"));
      assertEquals("answer " + id, stored.getString("text"), stored.encode());
    }
  }

  @Test
  void recordsStillQueuedWhenTheVerticleStopsAreStoredBeforeItHasStopped() throws Exception {
    PersistenceInbox inbox = new PersistenceInbox();
    String deployment = deploy(inbox);
    Context loop = vertx.getOrCreateContext();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      ids.add(LocalResponseStoreTest.idAt(Instant.now()));
    }

    // the worker is woken for the records only after this task, behind the stop asked in it
    List<Future<?>> outcomes = onEventLoop(loop, () -> {
      List<Future<?>> all = new ArrayList<>();
      ids.forEach(id -> all.add(inbox.store(LocalResponseStoreTest.record(id, "answer " + id))));
      all.add(vertx.undeploy(deployment));
      return all;
    });
    await(Future.all(outcomes));

    deploy(new PersistenceInbox());
    for (String id : ids) {
      JsonObject stored = await(vertx.eventBus().<JsonObject>request(Addresses.PERSIST_RESPONSE_GET, id)).body();
      assertEquals("answer " + id, stored.getString("text"), stored.encode());
    }
  }

  @Test
  void theWorkerIsWokenOnceForABurstOfRecordsAndOnlyAfterTheOfferingTaskHasEnded() throws Exception {
    ResponseInbox inbox = new ResponseInbox();
    java.util.concurrent.atomic.AtomicInteger wakes = new java.util.concurrent.atomic.AtomicInteger();
    Promise<Void> woken = Promise.promise();
    inbox.open(() -> {
      wakes.incrementAndGet();
      woken.tryComplete();
    });
    Context loop = vertx.getOrCreateContext();

    int wakesDuringTheTask = onEventLoop(loop, () -> {
      for (int i = 0; i < 3; i++) {
        inbox.offer(LocalResponseStoreTest.record(LocalResponseStoreTest.idAt(Instant.now()), "answer " + i));
      }
      return wakes.get();
    });
    await(woken.future());
    int wakesAfter = onEventLoop(loop, wakes::get);

    assertEquals(0, wakesDuringTheTask, "nothing is woken while the event loop may still be writing the answer");
    assertEquals(1, wakesAfter, "one wake-up for the three records");
    assertEquals(3, inbox.take(10).size());
  }

  @Test
  void aFullLedgerBatchSignalsTheWriterOnceAndOnlyAfterTheOfferingTaskHasEnded() throws Exception {
    LedgerQueue queue = new LedgerQueue(64, 4);
    java.util.concurrent.atomic.AtomicInteger signals = new java.util.concurrent.atomic.AtomicInteger();
    Promise<Void> signalled = Promise.promise();
    queue.signals(() -> {
      signals.incrementAndGet();
      signalled.tryComplete();
    }, () -> { });
    Context loop = vertx.getOrCreateContext();

    int signalsDuringTheTask = onEventLoop(loop, () -> {
      for (int i = 0; i < 10; i++) {
        queue.offer(LedgerWriterTest.row(i));
      }
      return signals.get();
    });
    await(signalled.future());

    assertEquals(0, signalsDuringTheTask);
    assertEquals(1, onEventLoop(loop, signals::get), "one signal until the writer takes rows");
    assertEquals(10, queue.take(100).size());
  }

  /** The ledger rows committed in the SQLite file now, read on a connection of the test's own (no flush asked). */
  private long committedLedgerRows() throws Exception {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ensemble.db"));
        java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM usage_ledger")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  @Test
  void aRequestsLedgerRowIsCommittedWithItsResponsesIndexRowNotLeftForTheLedgersNextFlush() throws Exception {
    PersistenceInbox inbox = new PersistenceInbox();
    deploy(inbox);
    Context loop = vertx.getOrCreateContext();
    String id = LocalResponseStoreTest.idAt(Instant.now());

    // as the request path does: the row first, then the record, in the task that writes the answer
    Future<Void> stored = onEventLoop(loop, () -> {
      inbox.ledger(LedgerWriterTest.row(1));
      return inbox.store(LocalResponseStoreTest.record(id, "answer"));
    });
    await(stored);

    assertEquals(1, committedLedgerRows(), "the row is in the file once the response is acknowledged (the ledger's own flush runs every "
        + LedgerWriter.DEFAULT_FLUSH_INTERVAL_MS + " ms)");
    JsonObject ledger = ledgerStats();
    assertEquals(1L, ledger.getLong("written"), ledger.encode());
  }

  @Test
  void aRecordWaitingForTheNextBatchWhenTheVerticleStopsIsStored() throws Exception {
    PersistenceInbox inbox = new PersistenceInbox();
    String deployment = deploy(inbox);
    Context loop = vertx.getOrCreateContext();
    String first = LocalResponseStoreTest.idAt(Instant.now());
    String second = LocalResponseStoreTest.idAt(Instant.now());
    await(onEventLoop(loop, () -> inbox.store(LocalResponseStoreTest.record(first, "first"))));

    // offered right after a batch was taken: it waits for the rest of the gathering interval, and the stop comes first
    List<Future<?>> outcomes = onEventLoop(loop, () -> List.of(inbox.store(LocalResponseStoreTest.record(second, "second")),
        vertx.undeploy(deployment)));
    await(Future.all(outcomes));

    deploy(new PersistenceInbox());
    JsonObject stored = await(vertx.eventBus().<JsonObject>request(Addresses.PERSIST_RESPONSE_GET, second)).body();
    assertEquals("second", stored.getString("text"), stored.encode());
  }
}
