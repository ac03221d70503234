package dev.ensemble.ingress;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.pools.UpstreamResponse;
import dev.ensemble.pricing.CostCalculator;
import dev.ensemble.providers.ErrorClass;
import dev.ensemble.providers.ProviderError;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamProtocolException;
import dev.ensemble.routing.Selection;
import dev.ensemble.routing.UsageReport;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.streams.ReadStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * One client request carried out against its selected endpoint, from upstream call to the last byte the
 * client gets. Lives on the event loop of the client's connection, which also receives every upstream
 * callback, so its fields need no synchronisation.
 *
 * <p>Streaming is passthrough: each upstream chunk is decoded into unified events and each event is
 * rendered and written to the client as soon as it is complete. Headers go out with the first event, so an
 * upstream failure before that still gets a plain JSON error. The upstream is read to its end whether or not
 * the client is still there: a slow client pauses the upstream (backpressure), a gone one does not.
 */
final class ProxyExchange {

  private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

  private final Vertx vertx;
  private final HttpServerResponse client;
  private final ClientDialect dialect;
  private final UnifiedRequest request;
  private final Selection selection;
  private final ResponseContext context;
  private final long startNanos = System.nanoTime();
  private long firstByteNanos;
  private long timer = -1;
  private boolean clientGone;
  private boolean done;
  private Usage usage = Usage.UNKNOWN;
  private StreamEncoder encoder;
  private final ResponseJournal journal;

  ProxyExchange(Vertx vertx, HttpServerResponse client, ClientDialect dialect, UnifiedRequest request, Selection selection,
      ResponseContext context) {
    this.vertx = vertx;
    this.client = client;
    this.dialect = dialect;
    this.request = request;
    this.selection = selection;
    this.context = context;
    this.journal = new ResponseJournal(context, dialect.name());
  }

  void run() {
    client.closeHandler(v -> clientGone = true);
    UpstreamCall call = selection.pool().adapter().toUpstream(request, selection.upstreamModel());
    selection.pool().send(selection.endpoint(), call).onComplete(ar -> {
      if (ar.failed()) {
        outcome(0, ErrorClass.RETRYABLE, "connection");
        fail(UpstreamFailures.fromTransport(ar.cause(), provider()));
      } else if (ar.result().status() >= 400) {
        upstreamError(ar.result());
      } else if (call.stream()) {
        relay(ar.result());
      } else {
        complete(ar.result());
      }
    });
  }

  private void upstreamError(UpstreamResponse response) {
    armTimer(selection.pool().config().timeoutMs(), response);
    response.fullBody().onComplete(ar -> {
      cancelTimer();
      Buffer body = ar.succeeded() ? ar.result() : Buffer.buffer();
      ProviderError error = selection.pool().adapter().classify(response.status(), response.headers(), body);
      outcome(response.status(), error.errorClass(), error.type(), error.retryAfterMillis());
      LOG.debug("request {} upstream {} answered {} ({}, {})", context.requestId(), provider(), response.status(), error.type(), error.errorClass());
      fail(UpstreamFailures.fromProvider(error, provider()));
    });
  }

  private void complete(UpstreamResponse response) {
    armTimer(selection.pool().config().timeoutMs(), response);
    response.fullBody().onComplete(ar -> {
      cancelTimer();
      if (done) {
        return;
      }
      if (ar.failed()) {
        outcome(response.status(), ErrorClass.RETRYABLE, "connection");
        fail(UpstreamFailures.fromTransport(ar.cause(), provider()));
        return;
      }
      UnifiedResponse answer;
      try {
        answer = selection.pool().adapter().fromUpstream(ar.result());
      } catch (UpstreamProtocolException e) {
        outcome(response.status(), ErrorClass.RETRYABLE, "invalid_response");
        fail(GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " sent an invalid response: " + e.getMessage()));
        return;
      }
      outcome(response.status(), null, null);
      usage = answer.usage();
      firstByteNanos = System.nanoTime();
      for (StreamEvent event : StreamAccumulator.eventsOf(answer)) {
        journal.add(shown(event));
      }
      if (!clientGone) {
        client.setStatusCode(200).putHeader("content-type", "application/json")
            .end(dialect.encodeResponse(answer, context).toBuffer());
      }
      finish(200);
    });
  }

  private void relay(UpstreamResponse response) {
    StreamDecoder decoder = selection.pool().adapter().newStreamDecoder();
    encoder = dialect.newStreamEncoder(request, context);
    ReadStream<Buffer> body = response.body();
    long idleMs = selection.pool().config().idleTimeoutMs();
    client.closeHandler(v -> {
      clientGone = true;
      body.resume();
    });
    body.exceptionHandler(err -> {
      if (!done) {
        cancelTimer();
        outcome(response.status(), ErrorClass.RETRYABLE, "stream_interrupted");
        endStream(GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " stream was interrupted: " + err.getMessage()));
      }
    });
    body.handler(chunk -> {
      if (done) {
        return;
      }
      armTimer(idleMs, response);
      try {
        emit(body, decoder.feed(chunk));
      } catch (UpstreamProtocolException e) {
        cancelTimer();
        response.cancel();
        outcome(response.status(), ErrorClass.RETRYABLE, "invalid_response");
        endStream(GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " sent an invalid stream: " + e.getMessage()));
      }
    });
    body.endHandler(v -> {
      cancelTimer();
      if (done) {
        return;
      }
      emit(body, decoder.finish());
      if (!decoder.completed()) {
        outcome(response.status(), ErrorClass.RETRYABLE, "stream_truncated");
        endStream(GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " ended the stream before the answer was complete"));
        return;
      }
      outcome(response.status(), null, null);
      if (!clientGone) {
        client.end();
      }
      finish(200);
    });
    armTimer(idleMs, response);
    body.resume();
  }

  private void emit(ReadStream<Buffer> body, List<StreamEvent> events) {
    for (StreamEvent event : events) {
      StreamEvent shown = shown(event);
      journal.add(shown);
      write(encoder.encode(shown), body);
    }
  }

  /** The event as clients see it: the gateway's id, model and route on the start, the cost on the end. */
  private StreamEvent shown(StreamEvent event) {
    if (event instanceof StreamEvent.ResponseStart start) {
      return start.withRouting(context.requestId(), context.model(), provider(), selection.endpoint().id());
    }
    if (event instanceof StreamEvent.ResponseEnd end) {
      usage = end.usage() == null ? Usage.UNKNOWN : end.usage();
      return end.withCost(CostCalculator.cost(usage, selection.pricing()).doubleValue());
    }
    return event;
  }

  private void write(Buffer bytes, ReadStream<Buffer> body) {
    if (bytes.length() == 0 || clientGone) {
      return;
    }
    if (!client.headWritten()) {
      firstByteNanos = System.nanoTime();
      client.setStatusCode(200).setChunked(true)
          .putHeader("content-type", "text/event-stream")
          .putHeader("cache-control", "no-cache")
          .putHeader("x-accel-buffering", "no");
    }
    client.write(bytes);
    if (client.writeQueueFull()) {
      body.pause();
      client.drainHandler(v -> body.resume());
    }
  }

  /** Ends a stream with an error: a JSON error if nothing was sent yet, else an error event in the client's format. */
  private void endStream(GatewayError error) {
    if (!journal.isEmpty()) {
      journal.add(new StreamEvent.Error(error));
    }
    if (clientGone) {
      finish(error.status());
      return;
    }
    if (!client.headWritten()) {
      fail(error);
      return;
    }
    client.write(encoder.encode(new StreamEvent.Error(error)));
    client.end();
    finish(error.status());
  }

  private void fail(GatewayError error) {
    if (done) {
      return;
    }
    if (!clientGone) {
      ErrorResponder.send(client, dialect, error);
    }
    finish(error.status());
  }

  private void armTimer(long ms, UpstreamResponse response) {
    cancelTimer();
    timer = vertx.setTimer(ms, t -> {
      timer = -1;
      if (!done) {
        response.cancel();
        outcome(response.status(), ErrorClass.RETRYABLE, "timeout");
        GatewayError error = GatewayError.of(ErrorType.UPSTREAM_TIMEOUT, "Upstream " + provider() + " did not answer within " + ms + " ms");
        endStream(error);
      }
    });
  }

  private void cancelTimer() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void outcome(int status, ErrorClass errorClass, String errorType) {
    outcome(status, errorClass, errorType, null);
  }

  private void outcome(int status, ErrorClass errorClass, String errorType, Long retryAfterMillis) {
    vertx.eventBus().publish(Addresses.poolOutcome(provider()), new AttemptOutcome(provider(), selection.endpoint().id(), status,
        errorClass, errorType, retryAfterMillis, (System.nanoTime() - startNanos) / 1_000_000));
  }

  private void finish(int status) {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    long now = System.nanoTime();
    long ttfb = firstByteNanos == 0 ? -1 : (firstByteNanos - startNanos) / 1_000_000;
    if (!journal.isEmpty()) {
      vertx.eventBus().send(Addresses.PERSIST_RESPONSE, journal.record(dialect, provider(), selection.endpoint().id(),
          CostCalculator.cost(usage, selection.pricing())));
    }
    vertx.eventBus().publish(Addresses.ROUTING_USAGE, new UsageReport(context.requestId(), provider(), selection.endpoint().id(),
        context.model(), usage, status, (now - startNanos) / 1_000_000, ttfb, System.currentTimeMillis()));
  }

  private String provider() {
    return selection.pool().name();
  }
}
