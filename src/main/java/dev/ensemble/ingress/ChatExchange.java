package dev.ensemble.ingress;

import dev.ensemble.clients.ClientAccount;
import dev.ensemble.loop.LoopDeadlines;
import dev.ensemble.loop.Timeout;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.InflightJournal;
import dev.ensemble.persistence.JournalRoute;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.pricing.CostCalculator;
import dev.ensemble.ratelimit.Admission;
import dev.ensemble.ratelimit.RateLimiter;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.PromptSize;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;
import dev.ensemble.routing.UsageReport;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One client request from routing to its last byte, across as many {@link UpstreamAttempt}s as it takes:
 * a rate-limited endpoint (429) sends the request to the next endpoint of the pool, a broken key to another
 * key, a failing provider (5xx, overloaded, timeout, connection) to another provider serving the model
 * after a jittered exponential backoff, a permanent error straight back to the client. Only failures before
 * the first byte reached the client are retried, within an attempt budget and the request's deadline; a
 * workflow route then falls back along its {@code fallback} models. Each attempt is bounded by its provider's
 * timeouts; the request as a whole by its own deadline ({@code server.request_timeout_ms}, or the workflow route's
 * {@code timeout_ms}), which ends whatever is under way when it passes: the attempt in flight (504 in the client's
 * format, or an error event if the answer is already streaming), a backoff, a wait for admission. Confined to the
 * client connection's event loop. Its journal is live in {@link LiveResponses} from the start until the answer is persisted (the
 * persistence verticle acknowledged it, or failed to), so the response can be followed and read meanwhile.
 */
final class ChatExchange {

  private static final Logger LOG = LoggerFactory.getLogger(ChatExchange.class);


  private final Vertx vertx;
  private final ClientChannel client;
  private final ClientDialect dialect;
  private final ModelRouter router;
  private final RateLimiter rateLimiter;
  private final RouteConfig route;
  private final RetryPolicy retry;
  private final ResponseContext context;
  private final ResponseJournal journal;
  private final ClientAccount account;
  private final LiveResponses live;
  private final ClientCall call;
  private final long timeoutMs;
  private final long startNanos = System.nanoTime();
  private final long deadlineNanos;
  /** The request's deadline ({@link LoopDeadlines}: one scheduled check per loop and timeout length, not a timer per request). */
  private Timeout deadline;
  private long backoffTimer = -1;
  private boolean expired;
  private boolean finished;
  private UpstreamAttempt inFlight;
  /** The row sent to the usage ledger once the request finished; the crash journal closes the response when it is committed. */
  private LedgerEntry ledgerRow;
  private GatewayError aborted;
  private UnifiedRequest request;
  private List<String> fallbacks;
  private RoutingHints hints;
  private Selection last;
  private int attempts;
  private int attemptsOfModel;
  private BiConsumer<UnifiedResponse, BigDecimal> answered;
  private boolean audit;

  ChatExchange(Vertx vertx, ClientChannel client, ClientDialect dialect, ModelRouter router, RateLimiter rateLimiter,
      RouteConfig route, ClientCall call, RoutingHints hints, Selection first, ResponseContext context, ClientAccount account,
      LiveResponses live, long requestTimeoutMs) {
    this.vertx = vertx;
    this.client = client;
    this.dialect = dialect;
    this.router = router;
    this.rateLimiter = rateLimiter;
    this.route = route;
    this.retry = RetryPolicy.of(route);
    this.call = call;
    this.request = call.request();
    this.hints = hints;
    this.context = context;
    this.account = account;
    this.live = live;
    this.journal = new ResponseJournal(vertx.getOrCreateContext(), context, dialect, account.clientId(), live.crashJournal());
    this.journal.onAbort(this::abort);
    this.fallbacks = route == null ? List.of() : route.fallback();
    this.timeoutMs = route == null ? requestTimeoutMs : route.timeoutMs();
    this.deadlineNanos = startNanos + timeoutMs * 1_000_000;
    this.last = first;
  }

  void run() {
    if (!audit) {
      live.register(context.requestId(), journal);
      live.crashJournal().started(context.requestId(), account.clientId(), dialect.name(), context.model(), context.createdEpochSeconds(),
          request.stream());
    }
    deadline = LoopDeadlines.arm(vertx, timeoutMs, t -> onDeadline());
    attempt(last);
  }

  /** The request starts on {@code model} (a workflow route's fallback when its own model cannot be routed now), with {@code fallbacks} left. */
  ChatExchange startingOn(String model, List<String> fallbacks) {
    if (!model.equals(request.model())) {
      request = request.toBuilder().model(model).build();
    }
    this.fallbacks = fallbacks;
    return this;
  }

  /** Called with the answer and its upstream cost once a complete answer was delivered (the response cache stores it). */
  ChatExchange onAnswered(BiConsumer<UnifiedResponse, BigDecimal> listener) {
    this.answered = listener;
    return this;
  }

  /** A cache audit's re-ask: not persisted as a response, and its ledger row is marked {@code AUDIT}. */
  ChatExchange asAudit() {
    this.audit = true;
    return this;
  }

  /** The request's own time is up: whatever is under way ends now, and no further attempt starts. */
  private void onDeadline() {
    deadline = null;
    expired = true;
    if (finished) {
      return;
    }
    if (inFlight != null) {
      inFlight.expire(deadlineError());
    } else if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
      backoffTimer = -1;
      fail(deadlineError());
    }
    // else: an admission is pending; attempt() sees the expiry when it answers
  }

  /**
   * The node ends this request (its drain deadline passed): a running attempt ends its stream with {@code error}
   * (or fails cleanly if nothing was sent yet); between attempts the request fails at once; no attempt starts after.
   */
  private void abort(GatewayError error) {
    if (finished || aborted != null) {
      return;
    }
    aborted = error;
    if (inFlight != null) {
      inFlight.abort(error);
    } else if (backoffTimer >= 0) {
      vertx.cancelTimer(backoffTimer);
      backoffTimer = -1;
      fail(error);
    }
    // else: an admission is pending; attempt() sees the abort when it answers
  }

  private boolean pastDeadline() {
    return expired || System.nanoTime() >= deadlineNanos;
  }

  private GatewayError deadlineError() {
    return GatewayError.of(ErrorType.UPSTREAM_TIMEOUT, "The request did not complete within its deadline of " + timeoutMs + " ms ("
        + (route == null ? "server.request_timeout_ms" : "routes." + route.name() + ".timeout_ms") + ") after " + attempts
        + (attempts == 1 ? " attempt" : " attempts"));
  }

  /** The exact (cluster-wide) limiter admits the attempt first; a refusal is a 429 from that endpoint. */
  private void attempt(Selection selection) {
    if (aborted != null) {
      fail(aborted);
      return;
    }
    if (client.cancelled()) {
      fail(new GatewayError(ErrorType.INVALID_REQUEST, 499, "The client cancelled the request", false, null, null));
      return;
    }
    if (pastDeadline()) {
      fail(deadlineError());
      return;
    }
    rateLimiter.tryAdmit(selection.endpoint().id(), selection.estimatedTokens()).onComplete(ar -> {
      Admission admission = ar.result();
      if (aborted != null) {
        fail(aborted);
        return;
      }
      if (pastDeadline()) {
        fail(deadlineError());
        return;
      }
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
    last = selection;
    attempts++;
    attemptsOfModel++;
    client.routed(selection.decision(), attempts);
    live.crashJournal().routed(context.requestId(), new JournalRoute(selection.pool().name(), selection.endpoint().id(),
        selection.upstreamModel(), attempts, selection.decision().reason(), PromptSize.tokens(request), selection.pricing()));
    if (LOG.isDebugEnabled()) {
      LOG.debug("request {} attempt {} routed {}", context.requestId(), attempts, selection.decision().toJson().encode());
    }
    inFlight = new UpstreamAttempt(vertx, client, request, selection, context, journal, account.onDisconnect());
    inFlight.run().onComplete(ar -> {
      inFlight = null;
      AttemptResult result = ar.result();
      // priced once per attempt (by the attempt, with its end event): the routing report, the ledger row, the stored
      // response and the cache share it
      BigDecimal cost = result.cost() != null ? result.cost() : CostCalculator.cost(result.usage(), selection.pricing());
      report(selection, result, cost);
      if (result.canFailOver()) {
        onFailure(selection, result.failure());
      } else {
        finish();
        UnifiedResponse complete = answered == null || result.clientStatus() != 200 ? null : journal.completedAnswer();
        ledger(selection, result.clientStatus(), result.usage(), cost, result.timeToFirstByteMs());
        persist(selection, cost);
        if (complete != null) {
          answered.accept(complete, cost);
        }
      }
    });
  }

  private void onFailure(Selection failed, AttemptFailure failure) {
    if (aborted != null) {
      fail(aborted);
      return;
    }
    if (failure.errorClass() == ErrorClass.PERMANENT || client.closed() || pastDeadline()) {
      fail(failure.clientError());
      return;
    }
    boolean sameProvider = failure.errorClass() == ErrorClass.RATE_LIMITED || failure.errorClass() == ErrorClass.KEY_INVALID;
    String cause = failure.errorClass() == ErrorClass.KEY_INVALID ? "auth" : failure.cause();
    hints = hints.failedOver(failed.endpoint().id(), sameProvider ? null : failed.pool().name(), cause)
        .preferring(sameProvider ? failed.pool().name() : null);
    Selection next = attemptsOfModel < retry.maxAttempts() ? tryDecide(request) : null;
    if (next == null && Failover.retriesTried(route, retry, attemptsOfModel, failure)) {
      hints = hints.retryingTried();
      next = tryDecide(request);
    }
    if (next == null && !fallbacks.isEmpty()) {
      String model = fallbacks.get(0);
      fallbacks = fallbacks.subList(1, fallbacks.size());
      request = request.toBuilder().model(model).build();
      attemptsOfModel = 0;
      hints = hints.failedOver(failed.endpoint().id(), null, "fallback:" + cause);
      onFailureRetry(failure, tryDecide(request));
      return;
    }
    onFailureRetry(failure, next);
  }

  private void onFailureRetry(AttemptFailure failure, Selection next) {
    if (next == null) {
      fail(failure.clientError());
      return;
    }
    long delay = failure.errorClass() == ErrorClass.RETRYABLE ? retry.backoffMillis(attemptsOfModel) : 0;
    if (System.nanoTime() + delay * 1_000_000 >= deadlineNanos) {
      fail(failure.clientError());
      return;
    }
    if (delay == 0) {
      attempt(next);
    } else {
      backoffTimer = vertx.setTimer(delay, t -> {
        backoffTimer = -1;
        attempt(next);
      });
    }
  }

  private Selection tryDecide(UnifiedRequest target) {
    try {
      return router.decide(target, hints);
    } catch (GatewayError e) {
      LOG.debug("request {}: no failover target: {}", context.requestId(), e.getMessage());
      return null;
    }
  }

  private void fail(GatewayError error) {
    if (finished) {
      return;
    }
    finish();
    ledger(last, error.status(), Usage.UNKNOWN, CostCalculator.cost(Usage.UNKNOWN, last.pricing()), -1);
    retire();
    if (!client.closed()) {
      client.fail(error);
    }
  }

  private void finish() {
    finished = true;
    if (deadline != null) {
      deadline.cancel();
      deadline = null;
    }
  }

  /** The request's row of the usage ledger; its cost also goes to the client's spend this month at once. */
  private void ledger(Selection selection, int status, Usage usage, BigDecimal cost, long timeToFirstByteMs) {
    account.bill(cost);
    ledgerRow = new LedgerEntry(context.requestId(), account.clientId(), selection.pool().name(),
        selection.endpoint().id(), request.model(), selection.upstreamModel(), usage, cost,
        (System.nanoTime() - startNanos) / 1_000_000, timeToFirstByteMs, status, attempts, selection.decision().reason(), request.stream(),
        System.currentTimeMillis(), null, audit ? "AUDIT" : null, null);
    live.persistence().ledger(ledgerRow);
  }

  /**
   * Hands the answer to the response store, unless the client asked for nothing to be kept ({@code store: false}:
   * only the ledger row remains), or the store is that far behind and the client received the whole answer (see
   * {@link LiveResponses}): an answer whose client left is always stored.
   */
  private void persist(Selection selection, BigDecimal cost) {
    if (audit) {
      journal.close();
      return;
    }
    if (journal.isEmpty() || !call.store() || !live.awaitStore(!client.closed())) {
      retire();
      return;
    }
    live.persistence().store(journal.record(dialect, call, selection.pool().name(), selection.endpoint().id(),
        cost, BackgroundResponses.where(journal.completedAnswer(), selection))).onComplete(ar -> {
          live.stored();
          retire();
        });
  }

  /**
   * The response leaves the live registry: the store (if anything) answers for it from now on. The crash journal
   * keeps it open until its ledger row (sent before) is committed too.
   */
  private void retire() {
    live.crashJournal().ended(context.requestId(), ledgerRow);
    live.remove(context.requestId(), journal);
    journal.close();
  }

  private void report(Selection selection, AttemptResult result, BigDecimal cost) {
    long now = System.currentTimeMillis();
    int status = result.canFailOver() ? result.failure().clientError().status() : result.clientStatus();
    router.learn(new UsageReport(context.requestId(), attempts, selection.pool().name(),
        selection.endpoint().id(), request.model(), result.usage(), cost, status, result.answered(), result.timeToFirstByteMs(), now,
        selection.estimatedTokens(), selection.cachePlan()));
  }
}
