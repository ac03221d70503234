package dev.ensemble.bench;

import dev.ensemble.config.UpstreamHttp;
import dev.ensemble.providers.HttpUpstreamTransport;
import dev.ensemble.providers.UpstreamResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How often a Vert.x 5.0.10 HTTP client call never completes because its {@code body()} came after the response had
 * ended (eclipse-vertx/vert.x#6038), per way of writing the call. Each run starts a Vert.x, a server on 127.0.0.1 and
 * a keep-alive client, and makes 6 rounds of 3 concurrent calls (GET 200, POST 201 echo, GET 404) from this
 * (non-Vert.x) thread; a run counts as hung when a round is not complete within 5 s. Every mode is run once per run,
 * in turn, so all see the same machine.
 *
 * <ul>
 *   <li>{@code flat}: {@code client.request(o).compose(r -> r.send()).compose(HttpClientResponse::body)} written on
 *       this thread (what most tests did);</li>
 *   <li>{@code onloop}: the same chain built by {@code runOnContext} on a context of the client's Vert.x (the pattern
 *       of the tests' {@code dev.ensemble.testing.OnLoop});</li>
 *   <li>{@code nested}: {@code client.request(o).compose(r -> r.send().compose(HttpClientResponse::body))} on this
 *       thread;</li>
 *   <li>{@code transport}: {@code HttpUpstreamTransport.send(...).compose(UpstreamResponse::fullBody)} on this
 *       thread (its off-loop clients);</li>
 *   <li>{@code transport-resume-first}: the same, reading the body as {@code fullBody()} did before: resume the paused
 *       response, then {@code body()};</li>
 *   <li>{@code transport-awaited} and {@code transport-awaited-resume-first}: the two again, with this thread waiting
 *       for each response before reading its body (so the body is always asked from off the loop).</li>
 * </ul>
 *
 * <p>Usage: {@code LateBodyRace [runs=300] [burners=0] [modes=flat,onloop,...]} (all modes by default);
 * {@code burners} busy threads load the machine meanwhile.
 */
public final class LateBodyRace {

  private static final int ROUNDS = 6;

  private LateBodyRace() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    int runs = Integer.parseInt(opts.getOrDefault("runs", "300"));
    int burners = Integer.parseInt(opts.getOrDefault("burners", "0"));
    List<String> modes = List.of(opts.getOrDefault("modes",
        "flat,onloop,nested,transport,transport-resume-first,transport-awaited,transport-awaited-resume-first").split(","));
    List<Thread> burning = new ArrayList<>();
    for (int i = 0; i < burners; i++) {
      Thread t = new Thread(() -> {
        long x = 0;
        while (!Thread.currentThread().isInterrupted()) {
          x += System.nanoTime() % 7;
        }
        if (x == 42) {
          System.out.print("");
        }
      }, "burner-" + i);
      t.setDaemon(true);
      t.start();
      burning.add(t);
    }
    Map<String, Integer> hung = new LinkedHashMap<>();
    modes.forEach(m -> hung.put(m, 0));
    long start = System.nanoTime();
    for (int run = 0; run < runs; run++) {
      for (String mode : modes) {
        if (!runCompletes(mode)) {
          hung.merge(mode, 1, Integer::sum);
          System.out.println("run " + run + " " + mode + ": a call never completed");
        }
      }
      if ((run + 1) % 50 == 0) {
        System.out.println((run + 1) + " runs, hung so far " + hung);
      }
    }
    burning.forEach(Thread::interrupt);
    System.out.println("runs=" + runs + " burners=" + burners + " cores=" + Runtime.getRuntime().availableProcessors()
        + " seconds=" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
    hung.forEach((mode, n) -> System.out.println(mode + ": hung in " + n + " of " + runs + " runs"));
  }

  private static boolean runCompletes(String mode) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer server = await(vertx.createHttpServer().requestHandler(req -> {
        if (req.method() == HttpMethod.POST) {
          req.body().onSuccess(b -> req.response().setStatusCode(201).end(b));
        } else if (req.path().startsWith("/things/")) {
          req.response().end("thing");
        } else {
          req.response().setStatusCode(404).end("nope");
        }
      }).listen(0, "127.0.0.1"), 10);
      int port = server.actualPort();
      HttpClientAgent client = vertx.createHttpClient();
      HttpUpstreamTransport transport = new HttpUpstreamTransport(vertx, UpstreamHttp.DEFAULTS);
      String base = "http://127.0.0.1:" + port;
      for (int round = 0; round < ROUNDS; round++) {
        String id = String.valueOf(round);
        List<Supplier<Future<String>>> calls = List.of(
            () -> call(mode, vertx, client, transport, base, HttpMethod.GET, "/things/" + id + "?q=1", null),
            () -> call(mode, vertx, client, transport, base, HttpMethod.POST, "/things", "body of round " + id),
            () -> call(mode, vertx, client, transport, base, HttpMethod.GET, "/nothing-here", null));
        List<Future<String>> started = new ArrayList<>();
        calls.forEach(c -> started.add(c.get()));
        try {
          await(Future.all(started), 5);
        } catch (java.util.concurrent.TimeoutException e) {
          return false;
        }
      }
      await(transport.close(), 10);
      await(client.close(), 10);
      await(server.close(), 10);
      return true;
    } finally {
      await(vertx.close(), 30);
    }
  }

  private static Future<String> call(String mode, Vertx vertx, HttpClientAgent client, HttpUpstreamTransport transport,
                                     String base, HttpMethod method, String uri, String body) {
    RequestOptions options = new RequestOptions().setAbsoluteURI(base + uri).setMethod(method);
    Buffer payload = body == null ? Buffer.buffer() : Buffer.buffer(body);
    return switch (mode) {
      case "flat" -> client.request(options)
          .compose(r -> body == null ? r.send() : r.send(payload))
          .compose(HttpClientResponse::body).map(Buffer::toString);
      case "onloop" -> onLoop(vertx, () -> client.request(options)
          .compose(r -> body == null ? r.send() : r.send(payload))
          .compose(HttpClientResponse::body).map(Buffer::toString));
      case "nested" -> client.request(options)
          .compose(r -> (body == null ? r.send() : r.send(payload)).compose(HttpClientResponse::body))
          .map(Buffer::toString);
      case "transport" -> transport.send(method, base + uri, MultiMap.caseInsensitiveMultiMap(), payload, 5_000)
          .compose(UpstreamResponse::fullBody).map(Buffer::toString);
      case "transport-resume-first" -> transport.send(method, base + uri, MultiMap.caseInsensitiveMultiMap(), payload, 5_000)
          .compose(LateBodyRace::resumeFirst).map(Buffer::toString);
      case "transport-awaited" -> awaited(transport.send(method, base + uri, MultiMap.caseInsensitiveMultiMap(), payload, 5_000))
          .compose(UpstreamResponse::fullBody).map(Buffer::toString);
      case "transport-awaited-resume-first" -> awaited(transport.send(method, base + uri, MultiMap.caseInsensitiveMultiMap(), payload, 5_000))
          .compose(LateBodyRace::resumeFirst).map(Buffer::toString);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    };
  }

  /** What {@code fullBody()} did before: resume the paused response, then ask for its body. */
  private static Future<Buffer> resumeFirst(UpstreamResponse response) {
    return ((HttpClientResponse) response.body()).resume().body();
  }

  /** {@code response} once this thread has waited for it: what follows runs on this thread, after the loop is idle. */
  private static <T> Future<T> awaited(Future<T> response) {
    try {
      return Future.succeededFuture(await(response, 5));
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** The pattern of the tests' {@code dev.ensemble.testing.OnLoop.call}. */
  private static <T> Future<T> onLoop(Vertx vertx, Supplier<Future<T>> chain) {
    Promise<T> result = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> chain.get().onComplete(result));
    return result.future();
  }

  private static <T> T await(Future<T> f, int seconds) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }
}
