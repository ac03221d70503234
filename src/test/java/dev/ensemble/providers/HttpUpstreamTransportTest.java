package dev.ensemble.providers;

import dev.ensemble.config.UpstreamHttp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.VertxInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

@ExtendWith(VertxExtension.class)
class HttpUpstreamTransportTest {

  /**
   * Sequential keep-alive requests from two event loops: each loop's requests go over the connection that loop opened
   * (so the upstream's bytes are read on the loop that answers the client), never over the other loop's.
   */
  @Test
  void requestsOfAnEventLoopGoOverConnectionsOfThatLoop(Vertx vertx, VertxTestContext test) {
    Map<Integer, String> loopOfPort = new ConcurrentHashMap<>();
    Map<String, Set<Integer>> portsOfLoop = new ConcurrentHashMap<>();
    HttpUpstreamTransport transport = new HttpUpstreamTransport(vertx, UpstreamHttp.DEFAULTS);
    // two event-loop contexts, on two different event loops (Vert.x hands loops out round robin)
    Context a = ((VertxInternal) vertx).createEventLoopContext();
    Context b = ((VertxInternal) vertx).createEventLoopContext();
    assertNotEquals(threadOf(a), threadOf(b));
    vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      String loop = body.toString();
      int port = req.remoteAddress().port();
      loopOfPort.putIfAbsent(port, loop);
      portsOfLoop.computeIfAbsent(loop, l -> ConcurrentHashMap.newKeySet()).add(port);
      req.response().end(loopOfPort.get(port));
    })).listen(0, "127.0.0.1").onComplete(test.succeeding(server -> {
      String url = "http://127.0.0.1:" + server.actualPort() + "/v1/chat";
      sequence(transport, url, a, b, 12).onComplete(test.succeeding(answers -> test.verify(() -> {
        for (int i = 0; i < answers.size(); i++) {
          String asked = i % 2 == 0 ? "a" : "b";
          assertEquals(asked, answers.get(i), "request " + i + " from loop " + asked + " went over a connection of the other loop");
        }
        assertEquals(Set.of("a", "b"), portsOfLoop.keySet());
        assertNotEquals(portsOfLoop.get("a"), portsOfLoop.get("b"));
        transport.close().onComplete(test.succeedingThenComplete());
      })));
    }));
  }

  /**
   * An event loop's pool holds 8 HTTP/1.1 connections at least: with 8 calls held by the upstream, a 9th waits for a
   * connection, and its first-byte timeout (300 ms) ends that wait — it does not wait for the held calls. When the
   * held calls are answered and a connection comes free, the timed-out call writes nothing: the upstream sees the 8
   * held calls and the next call only.
   */
  @Test
  void aCallWaitingForAConnectionEndsAtItsFirstByteTimeoutAndIsNeverSent(Vertx vertx, VertxTestContext test) {
    int pooled = 8;
    List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
    List<String> arrived = new CopyOnWriteArrayList<>();
    Promise<Void> allHeld = Promise.promise();
    AtomicBoolean answering = new AtomicBoolean();
    HttpUpstreamTransport transport = new HttpUpstreamTransport(vertx, new UpstreamHttp(UpstreamHttp.Version.AUTO, 1, 1));
    Context loop = ((VertxInternal) vertx).createEventLoopContext();
    vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      arrived.add(body.toString());
      if (answering.get()) {
        req.response().end("answer to " + body);
        return;
      }
      held.add(req);
      if (held.size() == pooled) {
        allHeld.tryComplete();
      }
    })).listen(0, "127.0.0.1").onComplete(test.succeeding(server -> {
      String url = "http://127.0.0.1:" + server.actualPort() + "/v1/chat";
      List<Future<String>> heldCalls = new ArrayList<>();
      loop.runOnContext(v -> {
        for (int i = 0; i < pooled; i++) {
          heldCalls.add(call(transport, url, "held " + i, 30_000));
        }
      });
      allHeld.future().compose(v -> onContext(loop, () -> call(transport, url, "waiting", 300)))
          .onComplete(test.failing(waited -> test.verify(() -> {
            assertInstanceOf(TimeoutException.class, waited);
            assertTrue(waited.getMessage().contains("no connection to it was free or opened"), waited.getMessage());
            answering.set(true);
            held.forEach(req -> req.response().end("answer"));
            Future.all(heldCalls)
                .compose(all -> onContext(loop, () -> call(transport, url, "next", 5_000)))
                .onComplete(test.succeeding(next -> test.verify(() -> {
                  assertEquals("answer to next", next);
                  assertFalse(arrived.contains("waiting"), "the call that timed out was written when a connection came: " + arrived);
                  assertEquals(pooled + 1, arrived.size(), arrived.toString());
                  transport.close().onComplete(test.succeedingThenComplete());
                })));
          })));
    }));
  }

  private static Future<String> call(HttpUpstreamTransport transport, String url, String body, long firstByteTimeoutMs) {
    return transport.send(HttpMethod.POST, url, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(body), firstByteTimeoutMs)
        .compose(UpstreamResponse::fullBody).map(Buffer::toString);
  }

  private static <T> Future<T> onContext(Context context, java.util.function.Supplier<Future<T>> work) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(result));
    return result.future();
  }

  private static Thread threadOf(Context context) {
    java.util.concurrent.CompletableFuture<Thread> thread = new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> thread.complete(Thread.currentThread()));
    return thread.join();
  }

  /** {@code n} requests one after another, alternately sent from loop {@code a} and loop {@code b}; each answer's body. */
  private static Future<List<String>> sequence(HttpUpstreamTransport transport, String url, Context a, Context b, int n) {
    List<String> answers = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < n; i++) {
      boolean first = i % 2 == 0;
      Context on = first ? a : b;
      chain = chain.compose(v -> {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        on.runOnContext(x -> transport.send(HttpMethod.POST, url, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(first ? "a" : "b"), 5_000)
            .compose(UpstreamResponse::fullBody)
            .onSuccess(body -> answers.add(body.toString()))
            .<Void>mapEmpty().onComplete(done));
        return done.future();
      });
    }
    return chain.map(answers);
  }
}
