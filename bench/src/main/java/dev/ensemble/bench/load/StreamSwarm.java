package dev.ensemble.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens {@code count} streaming requests at once and counts how they end: complete (status 200 and the
 * stream's {@code data: [DONE]} seen), failed (another status, a reset, a timeout), or still open when the
 * deadline passes. Tracks how many streams were open at the same time (response headers received, end not yet).
 */
public final class StreamSwarm {

  /** The tally; {@code peakOpen} is the most streams that had their headers and had not ended at one time. */
  public record Result(int started, int complete, int failed, int unfinished, int peakOpen, long secondsToPeak, double seconds,
                       List<String> errorSamples) {}

  private final Vertx vertx;
  private final HttpClient client;
  private final int port;
  private final Buffer body;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger peakOpen = new AtomicInteger();
  private final AtomicInteger complete = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final List<String> errorSamples = new CopyOnWriteArrayList<>();
  private final long idleTimeoutMs;
  private volatile long peakAt;

  /** {@code idleTimeoutMs}: how long a stream may wait for its headers or its next chunk before it counts as failed. */
  public StreamSwarm(Vertx vertx, HttpClient client, int port, Buffer body, long idleTimeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.port = port;
    this.body = body;
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /** The number of streams open right now. */
  public int open() {
    return open.get();
  }

  /** Sends {@code count} requests; completes when all have ended or {@code deadlineMs} has passed. */
  public Future<Result> run(int count, long deadlineMs) {
    long start = System.nanoTime();
    Promise<Result> done = Promise.promise();
    AtomicInteger ended = new AtomicInteger();
    Runnable finish = () -> done.tryComplete(result(count, ended.get(), start));
    long timer = vertx.setTimer(deadlineMs, t -> finish.run());
    for (int i = 0; i < count; i++) {
      one(start).onComplete(ar -> {
        if (ar.succeeded() && ar.result()) {
          complete.incrementAndGet();
        } else {
          failed.incrementAndGet();
          if (errorSamples.size() < 5) {
            errorSamples.add(ar.succeeded() ? "stream ended without data: [DONE] or with an error status" : String.valueOf(ar.cause()));
          }
        }
        if (ended.incrementAndGet() == count) {
          vertx.cancelTimer(timer);
          finish.run();
        }
      });
    }
    return done.future();
  }

  private Result result(int count, int ended, long start) {
    return new Result(count, complete.get(), failed.get(), count - ended, peakOpen.get(),
        peakAt == 0 ? -1 : (peakAt - start) / 1_000_000_000L, (System.nanoTime() - start) / 1e9, errorSamples);
  }

  private Future<Boolean> one(long start) {
    return client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json").setIdleTimeout(idleTimeoutMs))
        .compose(request -> request.send(body))
        .compose(response -> {
          Promise<Boolean> ok = Promise.promise();
          int now = open.incrementAndGet();
          if (now > peakOpen.get()) {
            peakOpen.accumulateAndGet(now, Math::max);
            peakAt = System.nanoTime();
          }
          String[] tail = {""};
          response.handler(chunk -> {
            String t = tail[0] + chunk.toString();
            tail[0] = t.length() > 64 ? t.substring(t.length() - 64) : t;
          });
          response.exceptionHandler(err -> {
            open.decrementAndGet();
            ok.tryFail(err);
          });
          response.endHandler(v -> {
            open.decrementAndGet();
            ok.tryComplete(response.statusCode() == 200 && tail[0].contains("[DONE]"));
          });
          return ok.future();
        });
  }
}
