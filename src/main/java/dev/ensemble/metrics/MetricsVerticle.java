package dev.ensemble.metrics;

import dev.ensemble.bus.Addresses;
import dev.ensemble.bus.Inbox;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryContext;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts what the router and the pools publish anyway, so the request path stays free of metrics work: the
 * {@link UsageReport} of every attempt ({@link Addresses#ROUTING_USAGE}, published by the router verticle once it
 * learnt from it) and every provider's {@link AttemptOutcome} ({@link Addresses#poolOutcome}, published by its pool
 * verticle once applied). It does not consume those addresses — that would be one more delivery to this verticle's
 * event loop per message — but taps them: an outbound interceptor on the event bus, run by the sender as it publishes,
 * puts the message's body on this verticle's inbox, a lock-free queue. The verticle counts the inbox every
 * {@value #DRAIN_MS} ms and before each scrape ({@link Addresses#METRICS_FLUSH}), in the order each sender published;
 * before a scrape it first waits for the router's and the pools' own inboxes ({@code senders}) to be taken in, so a
 * scrape counts every attempt whose client had its answer before it. Local messages only: each node counts its own
 * traffic.
 *
 * <p>One instance per node; its event loop is the only thread that touches {@link UsageMeters} and
 * {@link OutcomeMeters}. The inbox has many writers (every event loop that publishes) and this one reader; it holds at
 * most {@value #MAX_QUEUED} bodies (more are dropped and counted in {@link #dropped()}: only a verticle that stopped
 * draining lets it fill).
 */
public final class MetricsVerticle extends VerticleBase {

  static final long DRAIN_MS = 100;
  static final int MAX_QUEUED = 1 << 20;

  private final UsageMeters usage;
  private final OutcomeMeters outcomes;
  private final Set<String> tapped = new HashSet<>();
  private final Queue<Object> inbox = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger dropped = new AtomicInteger();
  private final Handler<DeliveryContext<Object>> tap = this::tap;
  private final List<Inbox<?>> senders;
  private long timer = -1;

  /** @param senders the inboxes of the router and the pools, whose verticles publish what this one counts */
  MetricsVerticle(UsageMeters usage, OutcomeMeters outcomes, List<String> providers, List<Inbox<?>> senders) {
    this.usage = usage;
    this.senders = List.copyOf(senders);
    this.outcomes = outcomes;
    tapped.add(Addresses.ROUTING_USAGE);
    providers.forEach(p -> tapped.add(Addresses.poolOutcome(p)));
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().addOutboundInterceptor(tap);
    timer = vertx.setPeriodic(DRAIN_MS, t -> drain());
    return vertx.eventBus().<Void>localConsumer(Addresses.METRICS_FLUSH, msg -> {
      List<Future<Void>> settled = new ArrayList<>(senders.size());
      senders.forEach(inbox -> settled.add(inbox.settle()));
      Future.join(settled).onComplete(ar -> context.runOnContext(v -> {
        drain();
        msg.reply(null);
      }));
    }).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.eventBus().removeOutboundInterceptor(tap);
    vertx.cancelTimer(timer);
    drain();
    return Future.succeededFuture();
  }

  /**
   * On the sender's thread: a tapped message's body (as sent: the record itself, on a clustered event bus too) goes to
   * the inbox; the message always goes on as it was.
   */
  private void tap(DeliveryContext<Object> delivery) {
    try {
      Object body = delivery.body();
      if (body != null && tapped.contains(delivery.message().address())) {
        if (queued.incrementAndGet() <= MAX_QUEUED) {
          inbox.offer(body);
        } else {
          queued.decrementAndGet();
          dropped.incrementAndGet();
        }
      }
    } finally {
      delivery.next();
    }
  }

  /** Counts everything in the inbox, on this verticle's event loop. */
  private void drain() {
    Object body;
    while ((body = inbox.poll()) != null) {
      queued.decrementAndGet();
      if (body instanceof UsageReport report) {
        usage.record(report);
      } else if (body instanceof AttemptOutcome outcome) {
        outcomes.record(outcome);
      }
    }
  }

  /** Bodies not counted because the inbox was full. */
  int dropped() {
    return dropped.get();
  }
}
