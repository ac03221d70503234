package dev.ensemble.ingress;

import dev.ensemble.clients.OnDisconnect;
import dev.ensemble.loop.LoopDeadlines;
import dev.ensemble.loop.Timeout;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.StreamAccumulator;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamResponse;
import dev.ensemble.providers.auth.UpstreamAuthException;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

import java.util.ArrayList;
import java.util.List;

/**
 * One try of a request against one selected endpoint. Lives on the event loop of the client's connection,
 * which also receives every upstream callback, so its fields need no synchronisation.
 *
 * <p>Until the first byte is written to the client the attempt can still fail cleanly: its future then
 * carries an {@link AttemptFailure} and the {@link ChatExchange} may try elsewhere. Streaming is passthrough:
 * each upstream chunk is decoded into unified events and each event is rendered and written as soon as it
 * is complete; headers go out with the first event. A slow client pauses the upstream (backpressure). A gone
 * one does not: by default ({@link OnDisconnect#CONTINUE}) the upstream is read to its end, and the answer is
 * persisted and billed with its reported usage; with {@link OnDisconnect#CANCEL} the upstream call is cancelled
 * at once and the partial answer persisted as failed, billed with {@link AttemptBill#cutShort()}. After the first
 * byte a failure ends the stream with an error event in the client's format, and the answer, persisted as failed, is
 * billed with the usage the upstream reported up to the failure and an estimate of the rest ({@link AttemptBill#cutShort()}).
 */
final class UpstreamAttempt {

  private final Vertx vertx;
  private final ClientChannel client;
  private final UnifiedRequest request;
  private final Selection selection;
  private final ResponseContext context;
  private final ResponseJournal journal;
  private final OnDisconnect onDisconnect;
  private final Promise<AttemptResult> result = Promise.promise();
  private final long startNanos = System.nanoTime();
  private final ProviderAdapter adapter;
  private long firstByteNanos;
  /** When the stream's last chunk arrived (or the client drained what the gateway held back). */
  private long lastChunkNanos;
  /** The upstream is paused because the client's write queue is full. */
  private boolean heldBack;
  /** A flush is queued to run after this turn of the event loop ({@link #flushSoon}). */
  private boolean flushQueued;
  /** The body's or the stream's idle timeout ({@link LoopDeadlines}), null when none is armed. */
  private Timeout timer;
  private UpstreamResponse response;
  private final AttemptBill bill;

  UpstreamAttempt(Vertx vertx, ClientChannel client, UnifiedRequest request, Selection selection,
      ResponseContext context, ResponseJournal journal, OnDisconnect onDisconnect) {
    this.vertx = vertx;
    this.client = client;
    this.request = request;
    this.selection = selection;
    this.context = context;
    this.journal = journal;
    this.onDisconnect = onDisconnect;
    this.adapter = selection.pool().adapterFor(request.passthrough());
    this.bill = new AttemptBill(request, selection.pricing());
  }

  Future<AttemptResult> run() {
    UpstreamCall call;
    try {
      call = adapter.toUpstream(request, selection.upstreamModel());
    } catch (GatewayError refused) {
      // The provider's wire format cannot carry this request: the client's error, nothing sent, the endpoint not
      // blamed. Completing here (not throwing) matters when the attempt runs in an async limiter's callback.
      result.complete(AttemptResult.failed(new AttemptFailure(ErrorClass.PERMANENT, "refused", null, refused)));
      return result.future();
    }
    selection.pool().send(selection.endpoint(), call).onComplete(ar -> {
      if (result.future().isComplete()) {
        // the request's deadline ended this attempt while it waited for the upstream's answer
        if (ar.succeeded()) {
          ar.result().cancel();
        }
        return;
      }
      if (ar.succeeded()) {
        response = ar.result();
      }
      if (ar.failed() && ar.cause() instanceof UpstreamAuthException auth) {
        failBeforeAnswer(auth.errorClass(), 0, "auth", null, UpstreamFailures.fromAuth(auth, provider()), auth.type());
      } else if (ar.failed()) {
        failBeforeAnswer(ErrorClass.RETRYABLE, 0, ar.cause() instanceof java.util.concurrent.TimeoutException ? "timeout" : "connection",
            null, UpstreamFailures.fromTransport(ar.cause(), provider()));
      } else if (ar.result().status() >= 400) {
        upstreamError(ar.result());
      } else if (call.stream()) {
        relay(ar.result());
      } else {
        complete(ar.result());
      }
    });
    return result.future();
  }

  private void upstreamError(UpstreamResponse response) {
    long timeoutMs = selection.pool().config().timeoutMs();
    armTimer(timeoutMs, timeoutMs, response);
    response.fullBody().onComplete(ar -> {
      cancelTimer();
      if (result.future().isComplete()) {
        return;
      }
      Buffer body = ar.succeeded() ? ar.result() : Buffer.buffer();
      ProviderError error = adapter.classify(response.status(), response.headers(), body);
      failBeforeAnswer(error.errorClass(), response.status(), Integer.toString(response.status()), error.retryAfterMillis(),
          UpstreamFailures.fromProvider(error, provider()), error.type());
    });
  }

  private void complete(UpstreamResponse response) {
    long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
    long timeoutMs = selection.pool().config().timeoutMs();
    armTimer(timeoutMs, Math.max(1, timeoutMs - elapsedMs), response);
    response.fullBody().onComplete(ar -> {
      cancelTimer();
      if (result.future().isComplete()) {
        return;
      }
      if (ar.failed()) {
        failBeforeAnswer(ErrorClass.RETRYABLE, response.status(), "connection", null, UpstreamFailures.fromTransport(ar.cause(), provider()));
        return;
      }
      UnifiedResponse answer;
      try {
        answer = adapter.fromUpstream(ar.result());
      } catch (UpstreamProtocolException e) {
        failBeforeAnswer(ErrorClass.RETRYABLE, response.status(), "invalid_response", null,
            GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " sent an invalid response: " + e.getMessage()));
        return;
      } catch (GatewayError refused) {
        failBeforeAnswer(ErrorClass.PERMANENT, response.status(), Integer.toString(refused.status()), null, refused);
        return;
      }
      outcome(response.status(), null, null, adapter.exhaustedForMillis(response.headers()));
      bill.reportedAtEnd(answer.usage());
      firstByteNanos = System.nanoTime();
      List<StreamEvent> events = new ArrayList<>();
      journal.whole(answer);
      for (StreamEvent event : StreamAccumulator.eventsOf(answer)) {
        StreamEvent shown = shown(event);
        journal.add(shown);
        events.add(shown);
      }
      // Done first: the exchange queues the ledger row before the client can see the answer and ask for usage.
      done(200, true);
      if (!client.closed()) {
        client.answer(answer, events, journal.renderedAnswer());
      }
    });
  }

  private void relay(UpstreamResponse response) {
    StreamDecoder decoder = adapter.newStreamDecoder();
    bill.streamFrom(decoder);
    client.beginStream(request);
    client.relayFrom(decoder);
    ReadStream<Buffer> body = response.body();
    long idleMs = selection.pool().config().idleTimeoutMs();
    body.exceptionHandler(err -> streamFailed(response, ErrorClass.RETRYABLE, "interrupted",
        GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " stream was interrupted: " + err.getMessage())));
    body.handler(chunk -> {
      if (result.future().isComplete()) {
        return;
      }
      lastChunkNanos = System.nanoTime();
      try {
        List<StreamEvent> events = decoder.feed(chunk);
        if (emit(events)) {
          if (decoder.completed()) {
            // the answer's end is among them: they wait for the upstream's end, which usually comes in the same read,
            // to leave with the client's end in one write
            flushSoon(body);
          } else {
            flush(body);
          }
        }
      } catch (UpstreamProtocolException e) {
        response.cancel();
        streamFailed(response, ErrorClass.RETRYABLE, "invalid_response",
            GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " sent an invalid stream: " + e.getMessage()));
      }
    });
    body.endHandler(v -> {
      cancelTimer();
      if (result.future().isComplete()) {
        return;
      }
      // not flushed: every way on from here ends the client, and the bytes it holds leave with its end, in one write
      emit(decoder.finish());
      if (result.future().isComplete()) {
        return;
      }
      if (!decoder.completed()) {
        streamFailed(response, ErrorClass.RETRYABLE, "truncated",
            GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + provider() + " ended the stream before the answer was complete"));
        return;
      }
      GatewayError endedWith = journal.error();
      if (endedWith == null) {
        outcome(response.status(), null, null, adapter.exhaustedForMillis(response.headers()));
      } else { // the upstream sent an error after the stream began: the endpoint failed, whatever its status line said
        outcome(endedWith.status(), ErrorClass.ofStatus(endedWith.status()), "stream_error", null);
      }
      done(200, true);
      if (!client.closed()) {
        client.end();
      }
    });
    client.onGone(v -> {
      if (onDisconnect == OnDisconnect.CANCEL) {
        clientGone(response, "client_disconnected", "The client disconnected; the upstream call was cancelled (on_disconnect: cancel)");
      } else {
        body.resume();
      }
    });
    client.onCancel(v -> clientGone(response, "cancelled", "The client cancelled the request; the upstream call was cancelled"));
    if (!result.future().isComplete()) {
      lastChunkNanos = System.nanoTime();
      cancelTimer();
      armIdleTimer(idleMs, idleMs, response);
      body.resume();
    }
  }

  /**
   * Records and renders the events of one upstream read; the client holds the bytes until the caller sends them
   * ({@link #flush}, {@link #flushSoon}, or the client's end). False when the attempt ended instead (the upstream refused
   * before answering anything).
   */
  private boolean emit(List<StreamEvent> events) {
    // nothing in this loop closes the client (its writes are held until the flush): asked once per read
    boolean open = !client.closed();
    for (StreamEvent event : events) {
      if (event instanceof StreamEvent.Error error && journal.isEmpty()) {
        // the upstream refused before answering anything: still a clean failure, the request can go elsewhere
        failBeforeAnswer(error.error().retryable() ? ErrorClass.RETRYABLE : ErrorClass.PERMANENT, error.error().status(),
            Integer.toString(error.error().status()), null, error.error());
        return false;
      }
      StreamEvent shown = shown(event);
      if (shown instanceof StreamEvent.Error error) {
        // the upstream ended the answer with an error: billed with the usage it reported up to there, the rest estimated
        bill.cutShort();
        journal.interrupted(error.error(), bill.usage());
      } else {
        journal.add(shown);
      }
      if (open) {
        write(shown);
      }
    }
    journal.endOfRead();
    return true;
  }

  /**
   * Sends what the client holds once this turn of the event loop is over, unless the attempt ended by then (every
   * ending sends what is held, with the client's end).
   */
  private void flushSoon(ReadStream<Buffer> body) {
    if (flushQueued) {
      return;
    }
    flushQueued = true;
    vertx.getOrCreateContext().runOnContext(v -> {
      flushQueued = false;
      if (!result.future().isComplete()) {
        flush(body);
      }
    });
  }

  /** The client cancelled the request, or disconnected mid-stream and asked for the upstream to be cancelled then. */
  private void clientGone(UpstreamResponse response, String type, String reason) {
    if (result.future().isComplete()) {
      return;
    }
    bill.cutShort();
    outcome(response.status(), null, null, null);
    if (!journal.isEmpty()) {
      journal.cancelledByClient(type, reason + ". Usage is partial: "
          + "input as the upstream reported it at the start (else estimated from the prompt), output estimated at 4 characters a token "
          + "from the " + bill.streamedChars() + " characters streamed", bill.usage());
    }
    done(499, true);
    response.cancel();
  }

  /** The event as clients see it: the gateway's id, model and route on the start, the cost on the end. */
  private StreamEvent shown(StreamEvent event) {
    if (event instanceof StreamEvent.BlockDelta delta) {
      bill.shown(delta);
    }
    if (event instanceof StreamEvent.ResponseStart start) {
      bill.started(start.usage());
      return start.withRouting(context.requestId(), context.model(), provider(), selection.endpoint().id());
    }
    if (event instanceof StreamEvent.ResponseEnd end) {
      bill.reportedAtEnd(end.usage());
      return end.withCost(bill.cost().doubleValue());
    }
    return event;
  }

  /** Renders one event to the client, which is not closed (the channel may hold it until {@link #flush}). */
  private void write(StreamEvent event) {
    boolean started = firstByteNanos != 0 || client.started();
    client.write(event);
    if (!started && client.started()) {
      firstByteNanos = System.nanoTime();
    }
  }

  /**
   * Sends the events of one upstream chunk; a full write queue pauses the upstream until the client drains it. The
   * idle timer does not count while the gateway itself holds the upstream back.
   */
  private void flush(ReadStream<Buffer> body) {
    if (client.closed()) {
      return;
    }
    client.flush();
    if (client.writeQueueFull() && !heldBack) {
      heldBack = true;
      body.pause();
      client.onDrain(v -> {
        heldBack = false;
        lastChunkNanos = System.nanoTime();
        body.resume();
      });
    }
  }

  /**
   * The node ends this attempt (its drain deadline passed). Nothing sent yet: a clean failure the exchange returns
   * as is. Mid-stream: the client gets {@code error} as the stream's last event, the answer is persisted failed with
   * partial usage ({@link AttemptBill#cutShort()}, as for a client's cancel, so the ledger bills what was streamed) and the
   * upstream call is cancelled.
   */
  void abort(GatewayError error) {
    if (result.future().isComplete()) {
      return;
    }
    if (response == null || journal.isEmpty()) {
      expire(error);
      return;
    }
    bill.cutShort();
    journal.interrupted(error, bill.usage());
    endWithError(error);
    response.cancel();
  }

  /**
   * The request's deadline passed while this attempt was under way: the upstream call is cancelled, and the attempt
   * ends with {@code error} — cleanly if nothing reached the client yet, else as an error event ending the stream.
   * The endpoint is not blamed (its circuit is untouched): it was the request's time that ran out, not its own.
   */
  void expire(GatewayError error) {
    if (result.future().isComplete()) {
      return;
    }
    if (response == null) {
      failBeforeAnswer(ErrorClass.PERMANENT, 0, "deadline", null, error, "request_deadline");
      return;
    }
    response.cancel();
    streamFailed(response, ErrorClass.PERMANENT, "deadline", error);
  }

  /**
   * A stream broke: a clean failure if nothing was shown yet, else an error event ends what the client has, and the
   * answer is persisted failed and billed with the usage the upstream reported up to the break, the rest estimated
   * ({@link AttemptBill#cutShort()}).
   */
  private void streamFailed(UpstreamResponse response, ErrorClass errorClass, String cause, GatewayError error) {
    if (result.future().isComplete()) {
      return;
    }
    cancelTimer();
    if (journal.isEmpty()) {
      failBeforeAnswer(errorClass, response.status(), cause, null, error);
      return;
    }
    outcome(response.status(), errorClass, cause, null);
    bill.cutShort();
    journal.interrupted(error, bill.usage());
    endWithError(error);
  }

  /** Ends what the client has with {@code error}: as the stream's last event once it began, else as the answer. */
  private void endWithError(GatewayError error) {
    boolean streaming = client.started();
    done(streaming ? 200 : error.status(), true);
    if (!client.closed()) {
      if (streaming) {
        client.write(new StreamEvent.Error(error));
        client.end();
      } else {
        client.fail(error);
      }
    }
  }

  private void failBeforeAnswer(ErrorClass errorClass, int status, String cause, Long retryAfterMillis, GatewayError clientError) {
    failBeforeAnswer(errorClass, status, cause, retryAfterMillis, clientError, cause);
  }

  private void failBeforeAnswer(ErrorClass errorClass, int status, String cause, Long retryAfterMillis, GatewayError clientError,
      String errorType) {
    if (result.future().isComplete()) {
      return;
    }
    cancelTimer();
    outcome(status, errorClass, errorType, retryAfterMillis);
    result.complete(AttemptResult.failed(new AttemptFailure(errorClass, cause, retryAfterMillis, clientError)));
  }

  /**
   * The stream's idle timeout without a timer per chunk: chunks only note their time ({@link #lastChunkNanos}); the
   * one timer, when it fires, ends the stream if no chunk came for {@code idleMs}, or else sets itself again for the
   * rest of that time (the whole of it while the gateway holds the upstream back for a slow client).
   */
  private void armIdleTimer(long delayMs, long idleMs, UpstreamResponse response) {
    timer = LoopDeadlines.arm(vertx, idleMs, delayMs, t -> {
      timer = null;
      if (result.future().isComplete()) {
        return;
      }
      long quietMs = (System.nanoTime() - lastChunkNanos) / 1_000_000;
      if (heldBack) {
        armIdleTimer(idleMs, idleMs, response);
      } else if (quietMs < idleMs) {
        armIdleTimer(Math.max(1, idleMs - quietMs), idleMs, response);
      } else {
        // the attempt ends first: cancelling resets the upstream stream, whose exception handler would otherwise
        // report the timeout as an interrupted stream
        streamFailed(response, ErrorClass.RETRYABLE, "timeout",
            GatewayError.of(ErrorType.UPSTREAM_TIMEOUT, "Upstream " + provider() + " did not answer within " + idleMs + " ms"));
        response.cancel();
      }
    });
  }

  /** Ends the attempt with a timeout unless the body came within {@code ms}, the rest of the provider's {@code lengthMs}. */
  private void armTimer(long lengthMs, long ms, UpstreamResponse response) {
    cancelTimer();
    timer = LoopDeadlines.arm(vertx, lengthMs, ms, t -> {
      timer = null;
      if (!result.future().isComplete()) {
        response.cancel();
        streamFailed(response, ErrorClass.RETRYABLE, "timeout",
            GatewayError.of(ErrorType.UPSTREAM_TIMEOUT, "Upstream " + provider() + " did not answer within " + ms + " ms"));
      }
    });
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void outcome(int status, ErrorClass errorClass, String errorType, Long retryAfterMillis) {
    selection.pool().report(new AttemptOutcome(provider(), selection.endpoint().id(), status,
        errorClass, errorType, retryAfterMillis, (System.nanoTime() - startNanos) / 1_000_000));
  }

  private void done(int clientStatus, boolean answered) {
    cancelTimer();
    long ttfb = firstByteNanos == 0 ? -1 : (firstByteNanos - startNanos) / 1_000_000;
    result.tryComplete(new AttemptResult(null, clientStatus, answered, bill.usage(), bill.cost(), ttfb));
  }

  private String provider() {
    return selection.pool().name();
  }
}
