package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;

/** Sends one {@link Rendered} answer with the reply's timing: latency, event delay, abrupt cut. */
final class Playback {

  private final Vertx vertx;
  private final HttpServerRequest request;
  private final Rendered rendered;
  private final long latencyMs;
  private final long eventDelayMs;
  private final int cutAfterEvents;

  Playback(Vertx vertx, HttpServerRequest request, Rendered rendered, long latencyMs, long eventDelayMs,
      int cutAfterEvents) {
    this.vertx = vertx;
    this.request = request;
    this.rendered = rendered;
    this.latencyMs = latencyMs;
    this.eventDelayMs = eventDelayMs;
    this.cutAfterEvents = cutAfterEvents;
  }

  void start() {
    if (latencyMs > 0) {
      vertx.setTimer(latencyMs, id -> respond());
    } else {
      respond();
    }
  }

  private void respond() {
    HttpServerResponse response = request.response();
    if (response.closed()) {
      return;
    }
    if (!rendered.streamed() && cutAfterEvents >= 0) {
      cut();
      return;
    }
    response.setStatusCode(rendered.status());
    response.headers().setAll(rendered.headers());
    if (!rendered.streamed()) {
      response.end(rendered.body());
      return;
    }
    response.setChunked(true);
    if (eventDelayMs > 0) {
      response.writeHead().onSuccess(v -> writeSlowly(0));
    } else {
      writeAtOnce();
    }
  }

  private void writeAtOnce() {
    HttpServerResponse response = request.response();
    int count = rendered.events().size();
    if (cutAfterEvents < 0 || cutAfterEvents >= count) {
      rendered.events().forEach(response::write);
      response.end();
      return;
    }
    Future<Void> last = response.writeHead();
    for (int i = 0; i < cutAfterEvents; i++) {
      last = response.write(rendered.events().get(i));
    }
    last.onComplete(ar -> cut());
  }

  private void writeSlowly(int next) {
    HttpServerResponse response = request.response();
    if (response.closed()) {
      return;
    }
    if (next == cutAfterEvents) {
      cut();
      return;
    }
    if (next == rendered.events().size()) {
      response.end();
      return;
    }
    response.write(rendered.events().get(next))
        .onSuccess(v -> vertx.setTimer(eventDelayMs, id -> writeSlowly(next + 1)));
  }

  private void cut() {
    if (request.version() == HttpVersion.HTTP_2) {
      request.response().reset();
    } else {
      request.connection().close();
    }
  }
}
