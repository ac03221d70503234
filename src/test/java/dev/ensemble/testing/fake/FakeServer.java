package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What every scripted fake upstream shares: an HTTP server on {@code 127.0.0.1}, port 0; every request recorded on
 * arrival, before validation, in arrival order; a FIFO of scripted replies; the {@link UpstreamState} its routes
 * share; and {@link #reset}. A subclass only says how it answers a recorded request (its routes and admission).
 *
 * @param <T> what its script holds ({@link Reply}, {@link GeminiReply}, ...)
 */
public abstract class FakeServer<T> {

  private final Vertx vertx;
  private final UpstreamState state = new UpstreamState();
  private final Queue<T> script = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> recorded = new CopyOnWriteArrayList<>();
  private volatile CompletableFuture<RecordedRequest> abandoned = new CompletableFuture<>();
  private HttpServer server;

  protected FakeServer(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Options for a server on {@code 127.0.0.1} on a free port. */
  static HttpServerOptions loopback() {
    return new HttpServerOptions().setHost("127.0.0.1").setPort(0);
  }

  /** Starts an HTTP server with {@code options} handing every request to {@code handler}. */
  static Future<HttpServer> listen(Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler) {
    return vertx.createHttpServer(options).requestHandler(handler).listen();
  }

  /** Starts {@code fake} listening with {@code options}. */
  static <F extends FakeServer<?>> Future<F> listen(F fake, HttpServerOptions options) {
    FakeServer<?> base = fake;
    return listen(base.vertx, options, base::handle).map(server -> {
      base.server = server;
      return fake;
    });
  }

  public Future<Void> close() {
    return server.close();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public Vertx vertx() {
    return vertx;
  }

  public List<RecordedRequest> requests() {
    return List.copyOf(recorded);
  }

  public RecordedRequest lastRequest() {
    List<RecordedRequest> all = requests();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  public int requestCount() {
    return recorded.size();
  }

  /** Replies still queued. */
  public int pendingReplies() {
    return script.size();
  }

  /**
   * Completes with the first request, since the last reset, whose connection the caller closed before the
   * answer was complete (e.g. a gateway cancelling a stream). Replies cut by the fake itself count too.
   */
  public CompletableFuture<RecordedRequest> firstAbandoned() {
    return abandoned;
  }

  /** Clears scripts, recordings, remembered cache prefixes, rate counters, key rules and clock. */
  public void reset() {
    script.clear();
    recorded.clear();
    abandoned = new CompletableFuture<>();
    state.reset();
  }

  /** Answers a request already recorded. */
  protected abstract void answer(HttpServerRequest request, RecordedRequest recordedRequest);

  final UpstreamState state() {
    return state;
  }

  final void script(Collection<? extends T> replies) {
    script.addAll(replies);
  }

  /** The next scripted reply, or null when none is queued. */
  final T nextReply() {
    return script.poll();
  }

  /** Sends {@code rendered} at once, with the headers and timing of {@code reply} when there is one. */
  final void play(HttpServerRequest request, Rendered rendered, Reply reply) {
    if (reply == null) {
      new Playback(vertx, request, rendered, 0, 0, -1).start();
      return;
    }
    reply.headers.forEach(header -> rendered.headers().set(header.getKey(), header.getValue()));
    new Playback(vertx, request, rendered, reply.latencyMs, reply.eventDelayMs, reply.cutAfterEvents).start();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      RecordedRequest recordedRequest = record(request, body);
      CompletableFuture<RecordedRequest> watcher = abandoned;
      request.response().closeHandler(v -> {
        if (!request.response().ended()) {
          watcher.complete(recordedRequest);
        }
      });
      answer(request, recordedRequest);
    });
  }

  private RecordedRequest record(HttpServerRequest request, Buffer body) {
    RecordedRequest recordedRequest = new RecordedRequest(request.method().name(), request.path(), request.query(),
        MultiMap.caseInsensitiveMultiMap().addAll(request.headers()), body.copy());
    recorded.add(recordedRequest);
    return recordedRequest;
  }
}
