package dev.ensemble.bench.load;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load: {@code concurrency} virtual users, each sending its next request as soon as the
 * previous one has been read to its end, for a warm-up and then a measured window. Only requests sent
 * after the warm-up and finished within the window are recorded (latency to the end of the body, and to
 * the first body byte), and the throughput is those requests over the window.
 */
public final class ClosedLoop {

  /** What one run measured; latencies in microseconds. */
  public record Result(long completed, long errors, double seconds, Histogram total, Histogram firstByte, List<String> errorSamples) {
    public double perSecond() {
      return completed / seconds;
    }
  }

  private final HttpClient client;
  private final List<Integer> ports;
  private final Buffer body;
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final Histogram total = new ConcurrentHistogram(120_000_000L, 3);
  private final Histogram firstByte = new ConcurrentHistogram(120_000_000L, 3);
  private final List<String> errorSamples = new CopyOnWriteArrayList<>();
  private long measureFrom;
  private long measureUntil;

  /** Virtual user {@code i} sends to {@code ports.get(i % ports.size())}. */
  public ClosedLoop(HttpClient client, List<Integer> ports, Buffer body) {
    this.client = client;
    this.ports = ports;
    this.body = body;
  }

  /** Runs the load; completes when every virtual user has stopped (at most 30 s after the window). */
  public Future<Result> run(int concurrency, long warmupMs, long measureMs) {
    long start = System.nanoTime();
    measureFrom = start + warmupMs * 1_000_000L;
    measureUntil = measureFrom + measureMs * 1_000_000L;
    Promise<Result> done = Promise.promise();
    AtomicInteger running = new AtomicInteger(concurrency);
    for (int i = 0; i < concurrency; i++) {
      int port = ports.get(i % ports.size());
      loop(port, () -> {
        if (running.decrementAndGet() == 0) {
          done.complete(new Result(completed.get(), errors.get(), measureMs / 1000.0, total, firstByte, errorSamples));
        }
      });
    }
    return done.future();
  }

  private void loop(int port, Runnable stopped) {
    long sent = System.nanoTime();
    if (sent >= measureUntil) {
      stopped.run();
      return;
    }
    long[] first = {0};
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/v1/chat/completions").putHeader("content-type", "application/json").setIdleTimeout(30_000))
        .compose(request -> request.send(body))
        .compose(response -> read(response, first))
        .onComplete(ar -> {
          long end = System.nanoTime();
          boolean inWindow = sent >= measureFrom && end <= measureUntil;
          if (ar.succeeded() && ar.result() == 200) {
            if (inWindow) {
              completed.incrementAndGet();
              total.recordValue((end - sent) / 1000);
              firstByte.recordValue(((first[0] == 0 ? end : first[0]) - sent) / 1000);
            }
          } else {
            errors.incrementAndGet();
            if (errorSamples.size() < 5) {
              errorSamples.add(ar.succeeded() ? "HTTP " + ar.result() : String.valueOf(ar.cause()));
            }
          }
          loop(port, stopped);
        });
  }

  private static Future<Integer> read(HttpClientResponse response, long[] first) {
    Promise<Integer> status = Promise.promise();
    response.handler(chunk -> {
      if (first[0] == 0) {
        first[0] = System.nanoTime();
      }
    });
    response.exceptionHandler(status::tryFail);
    response.endHandler(v -> status.tryComplete(response.statusCode()));
    return status.future();
  }
}
