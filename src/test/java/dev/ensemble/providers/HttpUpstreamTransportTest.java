package dev.ensemble.providers;

import dev.ensemble.config.UpstreamHttp;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
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
