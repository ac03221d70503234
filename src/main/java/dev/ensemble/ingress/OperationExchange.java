package dev.ensemble.ingress;

import dev.ensemble.bus.Addresses;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamResponse;
import dev.ensemble.providers.auth.UpstreamAuthException;
import dev.ensemble.ratelimit.Admission;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * One non-streamed, non-chat request ({@link Operation}) from routing to its answer, along the same path as a
 * chat request: the exact limiter admits each attempt, an upstream failure fails over by the {@link Failover}
 * rules within the {@link RetryPolicy}'s attempts per model and the request's deadline ({@code server.request_timeout_ms};
 * each attempt is bounded by its provider's {@code timeout_ms}); a workflow route's own {@code retry},
 * {@code timeout_ms} and {@code fallback} chain (the next model once one has used its attempts) replace the
 * defaults. Every attempt's outcome reaches the
 * pool (health, cooldowns) and routing (usage), and the request's ledger row carries its usage, images and cost.
 * A request the selected provider's format cannot carry (token ids to Gemini) is the client's 400, sent nowhere; one
 * the operation answers itself at that provider ({@link Operation#local}) is answered at once, with no ledger row.
 * The answer is sent whole, so every failure before it is a clean one. A client's request is counted in the node's
 * {@link LiveResponses} while it runs ({@link #trackedBy}): a drain waits for it and, at its deadline, ends it with the
 * drain's error. Confined to the client connection's event loop.
 */
final class OperationExchange {

  private static final Logger LOG = LoggerFactory.getLogger(OperationExchange.class);

  private final Vertx vertx;
  private final OperationSink client;
  private final ModelRouter router;
  private final RateLimiter rateLimiter;
  private Operation operation;
  private final String requestId;
  private final ClientAccount account;
  private final long requestTimeoutMs;
  private final long deadlineNanos;
  private final long startNanos = System.nanoTime();
  private RoutingHints hints;
  private Selection last;
  private int attempts;
  private int attemptsOfModel;
  private final RouteConfig route;
  private final RetryPolicy retry;
  private List<String> fallbacks;
  /** The attempt in flight is over (answered, failed, or cut at the request's deadline): late callbacks are ignored. */
  private boolean attemptOver = true;
  private long deadlineTimer = -1;
  /** The client has its answer or error: nothing more is sent, no new attempt starts. */
  private boolean done;
  private LiveResponses live;

  private final String ledgerTag;

  OperationExchange(Vertx vertx, OperationSink client, ModelRouter router, RateLimiter rateLimiter,
      Operation operation, RoutingHints hints, Selection first, String requestId, ClientAccount account, long requestTimeoutMs) {
    this(vertx, client, router, rateLimiter, operation, hints, first, requestId, account, requestTimeoutMs, null, null);
  }

  /**
   * @param route     the workflow route the request came through (its retry, timeout and fallbacks), or null
   * @param ledgerTag the ledger row's {@code cache_status} ({@code CACHE_EMBEDDING} for the response cache's own embeddings), or null
   */
  OperationExchange(Vertx vertx, OperationSink client, ModelRouter router, RateLimiter rateLimiter,
      Operation operation, RoutingHints hints, Selection first, String requestId, ClientAccount account, long requestTimeoutMs,
      RouteConfig route, String ledgerTag) {
    this.vertx = vertx;
    this.client = client;
    this.ledgerTag = ledgerTag;
    this.router = router;
    this.rateLimiter = rateLimiter;
    this.operation = operation;
    this.hints = hints;
    this.last = first;
    this.requestId = requestId;
    this.account = account;
    this.route = route;
    this.retry = RetryPolicy.of(route);
    this.fallbacks = route == null ? List.of() : route.fallback();
    this.requestTimeoutMs = route == null ? requestTimeoutMs : route.timeoutMs();
    this.deadlineNanos = startNanos + this.requestTimeoutMs * 1_000_000;
  }

  /** What remains of the route's fallback chain when the request starts on a fallback (see {@link RouteStart}). */
  OperationExchange startingOn(List<String> fallbacks) {
    this.fallbacks = fallbacks;
    return this;
  }

  /** Counts the exchange in {@code live} while it runs (a client's request; the gateway's own embeddings are not). */
  OperationExchange trackedBy(LiveResponses live) {
    this.live = live;
    return this;
  }

  void run() {
    if (live != null) {
      io.vertx.core.Context context = vertx.getOrCreateContext();
      live.registerOperation(requestId, error -> context.runOnContext(v -> abort(error)));
    }
    attempt(last);
  }

  /** Ends the request now with {@code error} (the node's drain deadline passed), unless it already ended. */
  private void abort(GatewayError error) {
    if (done) {
      return;
    }
    LOG.debug("request {} ended by the node: {}", requestId, error.getMessage());
    settle();
    fail(error);
  }

  /** The client is answered: the exchange leaves the node's count. */
  private void finished() {
    done = true;
    if (live != null) {
      live.removeOperation(requestId);
    }
  }

  private void attempt(Selection selection) {
    if (done) {
      return;
    }
    Operation.Answer local = operation.local(selection);
    if (local != null) {
      last = selection;
      client.routed(selection, Math.max(1, attempts));
      finished();
      client.answer(local);
      return;
    }
    rateLimiter.tryAdmit(selection.endpoint().id(), selection.estimatedTokens()).onComplete(ar -> {
      Admission admission = ar.result();
      if (admission.admitted()) {
        send(selection);
        return;
      }
      GatewayError limited = new GatewayError(ErrorType.RATE_LIMITED, 429, "Endpoint " + selection.endpoint().id()
          + " is at its rate limit", true, Math.max(1, (admission.retryAfterMillis() + 999) / 1000), null);
      selection.pool().report(new AttemptOutcome(selection.pool().name(),
          selection.endpoint().id(), 429, ErrorClass.RATE_LIMITED, "local_rate_limit", admission.retryAfterMillis(), 0));
      onFailure(selection, new AttemptFailure(ErrorClass.RATE_LIMITED, "429", admission.retryAfterMillis(), limited));
    });
  }

  private void send(Selection selection) {
    if (done) {
      return;
    }
    last = selection;
    UpstreamCall call;
    try {
      call = operation.toUpstream(selection);
    } catch (GatewayError unsendable) {
      fail(unsendable);
      return;
    }
    attempts++;
    attemptsOfModel++;
    client.routed(selection, attempts);
    long attemptStart = System.nanoTime();
    attemptOver = false;
    deadlineTimer = vertx.setTimer(Math.max(1, (deadlineNanos - attemptStart) / 1_000_000), t -> {
      deadlineTimer = -1;
      if (!attemptOver) {
        attemptOver = true;
        failed(selection, attemptStart, 0, ErrorClass.PERMANENT, "deadline", null, GatewayError.of(ErrorType.UPSTREAM_TIMEOUT,
            "The request did not complete within its deadline of " + requestTimeoutMs + " ms ("
                + (route == null ? "server.request_timeout_ms" : "routes." + route.name() + ".timeout_ms") + ") after "
                + attempts + (attempts == 1 ? " attempt" : " attempts")), "request_deadline");
      }
    });
    selection.pool().send(selection.endpoint(), call).onComplete(ar -> {
      if (attemptOver) {
        if (ar.succeeded()) {
          ar.result().cancel();
        }
        return;
      }
      if (ar.failed() && ar.cause() instanceof UpstreamAuthException auth) {
        failed(selection, attemptStart, 0, auth.errorClass(), "auth", null, UpstreamFailures.fromAuth(auth, selection.pool().name()), auth.type());
        return;
      }
      if (ar.failed()) {
        failed(selection, attemptStart, 0, ErrorClass.RETRYABLE, ar.cause() instanceof TimeoutException ? "timeout" : "connection",
            null, UpstreamFailures.fromTransport(ar.cause(), selection.pool().name()), null);
        return;
      }
      UpstreamResponse response = ar.result();
      long attemptDeadline = Math.min(deadlineNanos, attemptStart + selection.pool().config().timeoutMs() * 1_000_000);
      long timer = vertx.setTimer(Math.max(1, (attemptDeadline - System.nanoTime()) / 1_000_000), t -> response.cancel());
      response.fullBody().onComplete(body -> {
        vertx.cancelTimer(timer);
        if (attemptOver) {
          return;
        }
        if (body.failed()) {
          boolean timedOut = System.nanoTime() >= attemptDeadline;
          failed(selection, attemptStart, response.status(), ErrorClass.RETRYABLE, timedOut ? "timeout" : "connection", null,
              timedOut ? GatewayError.of(ErrorType.UPSTREAM_TIMEOUT, "Upstream " + selection.pool().name() + " did not answer in time")
                  : UpstreamFailures.fromTransport(body.cause(), selection.pool().name()), null);
        } else if (response.status() >= 400) {
          ProviderError error = selection.pool().adapter().classify(response.status(), response.headers(), body.result());
          failed(selection, attemptStart, response.status(), error.errorClass(), Integer.toString(response.status()), error.retryAfterMillis(),
              UpstreamFailures.fromProvider(error, selection.pool().name()), error.type());
        } else {
          answer(selection, attemptStart, response, body.result());
        }
      });
    });
  }

  /** The attempt in flight is over: the deadline timer that would cut it is dropped. */
  private void settle() {
    attemptOver = true;
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

  private void answer(Selection selection, long attemptStart, UpstreamResponse response, Buffer body) {
    settle();
    Operation.Answer answer;
    try {
      answer = operation.decode(selection, body);
    } catch (UpstreamProtocolException e) {
      failed(selection, attemptStart, response.status(), ErrorClass.RETRYABLE, "invalid_response", null,
          GatewayError.of(ErrorType.UPSTREAM_ERROR, "Upstream " + selection.pool().name() + " sent an invalid response: " + e.getMessage()), null);
      return;
    }
    outcome(selection, attemptStart, response.status(), null, null, selection.pool().adapter().exhaustedForMillis(response.headers()));
    long ttfb = (System.nanoTime() - startNanos) / 1_000_000;
    report(selection, 200, true, answer.usage(), answer.cost(), ttfb);
    ledger(selection, 200, answer.usage(), answer.images(), answer.cost(), ttfb);
    finished();
    client.answer(answer);
  }

  private void failed(Selection selection, long attemptStart, int status, ErrorClass errorClass, String cause, Long retryAfterMillis,
      GatewayError clientError, String errorType) {
    settle();
    outcome(selection, attemptStart, status, errorClass, errorType == null ? cause : errorType, retryAfterMillis);
    report(selection, clientError.status(), false, Usage.UNKNOWN, BigDecimal.ZERO, -1);
    onFailure(selection, new AttemptFailure(errorClass, cause, retryAfterMillis, clientError));
  }

  private void onFailure(Selection failed, AttemptFailure failure) {
    if (failure.errorClass() == ErrorClass.PERMANENT || client.closed() || System.nanoTime() >= deadlineNanos) {
      fail(failure.clientError());
      return;
    }
    hints = Failover.after(hints, failed, failure);
    Selection next = attemptsOfModel < retry.maxAttempts() ? tryDecide() : null;
    if (next == null && Failover.retriesTried(route, retry, attemptsOfModel, failure)) {
      hints = hints.retryingTried();
      next = tryDecide();
    }
    if (next == null && !fallbacks.isEmpty()) {
      operation = operation.withModel(fallbacks.get(0));
      fallbacks = fallbacks.subList(1, fallbacks.size());
      attemptsOfModel = 0;
      hints = hints.failedOver(failed.endpoint().id(), null, "fallback:" + failure.cause());
      next = tryDecide();
    }
    if (next == null) {
      fail(failure.clientError());
      return;
    }
    long delay = failure.errorClass() == ErrorClass.RETRYABLE ? retry.backoffMillis(attemptsOfModel) : 0;
    Selection chosen = next;
    if (System.nanoTime() + delay * 1_000_000 >= deadlineNanos) {
      fail(failure.clientError());
    } else if (delay == 0) {
      attempt(chosen);
    } else {
      vertx.setTimer(delay, t -> attempt(chosen));
    }
  }

  private Selection tryDecide() {
    try {
      return router.decide(operation.routingView(), hints, operation.kind());
    } catch (GatewayError e) {
      LOG.debug("request {}: no failover target: {}", requestId, e.getMessage());
      return null;
    }
  }

  private void fail(GatewayError error) {
    ledger(last, error.status(), Usage.UNKNOWN, null, BigDecimal.ZERO, -1);
    finished();
    client.fail(error);
  }

  /** The request's row of the usage ledger; its cost also goes to the client's spend this month at once. */
  private void ledger(Selection selection, int status, Usage usage, Integer images, BigDecimal cost, long timeToFirstByteMs) {
    account.bill(cost);
    LedgerEntry row = new LedgerEntry(requestId, account.clientId(), selection.pool().name(),
        selection.endpoint().id(), operation.routingView().model(), selection.upstreamModel(), usage, cost, (System.nanoTime() - startNanos) / 1_000_000,
        timeToFirstByteMs, status, attempts, selection.decision().reason(), false, System.currentTimeMillis(), images, ledgerTag, null);
    if (live != null) {
      live.persistence().ledger(row);
    } else {
      vertx.eventBus().send(Addresses.PERSIST_LEDGER, row);
    }
  }

  private void report(Selection selection, int status, boolean answered, Usage usage, BigDecimal cost, long timeToFirstByteMs) {
    router.learn(new UsageReport(requestId, attempts, selection.pool().name(),
        selection.endpoint().id(), operation.routingView().model(), usage, cost, status, answered, timeToFirstByteMs, System.currentTimeMillis(),
        selection.estimatedTokens(), null));
  }

  private void outcome(Selection selection, long attemptStart, int status, ErrorClass errorClass, String errorType, Long retryAfterMillis) {
    selection.pool().report(new AttemptOutcome(selection.pool().name(),
        selection.endpoint().id(), status, errorClass, errorType, retryAfterMillis, (System.nanoTime() - attemptStart) / 1_000_000));
  }
}
