package dev.ensemble.node;

import dev.ensemble.ingress.LiveResponses;
import dev.ensemble.ingress.NodeLifecycle;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful stop of a node (SIGTERM, or {@code POST /admin/drain}): readiness turns 503 at once; after
 * {@code server.drain_grace_ms} new requests are refused; answers in flight run until none is left or
 * {@code server.drain_timeout_ms} (counted from the start) passes, when each one still running ends with an error
 * event in its client's format and is persisted failed. Embeddings and images requests count as in flight too; one
 * still running at the deadline gets the error response in the client's format. The drain is over when no answer is in flight or waiting
 * for the store, and never before the grace ended (a load balancer may still send requests until then). Runs on
 * the Vert.x timers of the node; its state is touched only by them and by the one caller of {@link #start} that wins
 * {@code started} (the signal thread or an event loop), whose writes the timers it sets see.
 */
final class NodeDrain {

  private static final Logger LOG = LoggerFactory.getLogger(NodeDrain.class);
  /** How often the drain looks at what is still in flight. */
  private static final long POLL_MS = 50;
  /** After the deadline, how long the ended answers get to be persisted before the node stops regardless. */
  private static final long PERSIST_AFTER_DEADLINE_MS = 10_000;

  private final Vertx vertx;
  private final NodeLifecycle lifecycle;
  private final LiveResponses live;
  private final long graceMs;
  private final long timeoutMs;
  private final Promise<DrainReport> done = Promise.promise();
  private final AtomicBoolean started = new AtomicBoolean();
  private boolean deadlinePassed;
  private int endedAtDeadline;
  private long startNanos;
  private boolean refusingSeen;

  NodeDrain(Vertx vertx, NodeLifecycle lifecycle, LiveResponses live, long graceMs, long timeoutMs) {
    this.vertx = vertx;
    this.lifecycle = lifecycle;
    this.live = live;
    this.graceMs = graceMs;
    this.timeoutMs = timeoutMs;
  }

  /** What a drain did: how long it took, and how many answers it had to end at the deadline. */
  record DrainReport(long tookMs, int inFlightAtStart, int endedAtDeadline) {}

  /** Starts the drain (once; later calls return the same future), completed when nothing is left in flight. */
  Future<DrainReport> start(String cause) {
    if (!started.compareAndSet(false, true)) {
      return done.future();
    }
    startNanos = System.nanoTime();
    int inFlight = live.requestsInFlight();
    lifecycle.draining();
    LOG.info("draining ({}): /api/v1/ready answers 503; new requests refused in {} ms; {} requests in flight get up to {} ms",
        cause, graceMs, inFlight, timeoutMs);
    vertx.setTimer(Math.max(1, graceMs), t -> {
      lifecycle.refusing();
      LOG.info("drain: new requests are refused now; {} requests in flight", live.requestsInFlight());
    });
    vertx.setPeriodic(POLL_MS, timer -> poll(timer, inFlight));
    return done.future();
  }

  private void poll(long timer, int inFlightAtStart) {
    long elapsedMs = (System.nanoTime() - startNanos) / 1_000_000;
    boolean wasRefusing = refusingSeen;
    refusingSeen = lifecycle.isRefusing();
    boolean idle = live.requestsInFlight() == 0 && live.awaitingStore() == 0;
    // refusing for a poll at least: the WebSocket sessions had their turn to send their close frames
    if (idle && wasRefusing) {
      vertx.cancelTimer(timer);
      done.tryComplete(new DrainReport(elapsedMs, inFlightAtStart, endedAtDeadline));
      return;
    }
    if (!deadlinePassed && elapsedMs >= timeoutMs) {
      deadlinePassed = true;
      endedAtDeadline = live.requestsInFlight();
      LOG.warn("drain deadline of {} ms passed: ending the {} requests still in flight with an error", timeoutMs, endedAtDeadline);
      live.abortAll(new GatewayError(ErrorType.OVERLOADED, 503, "The node shut down before the answer was complete (drain deadline of "
          + timeoutMs + " ms); retry the request", true, 1L, null));
    }
    if (deadlinePassed && elapsedMs >= timeoutMs + PERSIST_AFTER_DEADLINE_MS) {
      vertx.cancelTimer(timer);
      LOG.error("drain: {} requests still not finished {} ms after the deadline; stopping anyway", live.requestsInFlight(), PERSIST_AFTER_DEADLINE_MS);
      done.tryComplete(new DrainReport(elapsedMs, inFlightAtStart, endedAtDeadline));
    }
  }
}
