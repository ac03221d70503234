package dev.ensemble.testing;

import dev.ensemble.bus.Addresses;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The usage reports a gateway's router took in, by request id, as it publishes them for observers on
 * {@link Addresses#ROUTING_USAGE}. A report reaches the router after its request's answer (up to the router's drain
 * interval later), so a test waits for the report of the request it sent, never for "the next" one: that may be an
 * earlier test's.
 */
public final class UsageReports implements AutoCloseable {

  private final Map<String, CompletableFuture<UsageReport>> byRequest = new ConcurrentHashMap<>();
  private final MessageConsumer<UsageReport> consumer;

  private UsageReports(Vertx vertx) {
    consumer = vertx.eventBus().localConsumer(Addresses.ROUTING_USAGE, m -> of(m.body().requestId()).complete(m.body()));
  }

  /** Listens from now on; returns once the consumer is registered. */
  public static UsageReports listen(Vertx vertx) throws Exception {
    UsageReports reports = new UsageReports(vertx);
    reports.consumer.completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return reports;
  }

  /** Completes with the (first) report of {@code requestId}. */
  public CompletableFuture<UsageReport> of(String requestId) {
    return byRequest.computeIfAbsent(requestId, id -> new CompletableFuture<>());
  }

  @Override
  public void close() {
    consumer.unregister();
  }
}
