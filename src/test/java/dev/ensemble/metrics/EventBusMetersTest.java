package dev.ensemble.metrics;

import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventBusMetersTest {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Vertx vertx = InstrumentedVertx.builder(registry).build();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private double count(String name, String address) {
    return Search.in(registry).name(name).tag("address", address).tag("side", "local").counters().stream()
        .mapToDouble(c -> c.count()).sum();
  }

  @Test
  void everyMessageIsCountedByAddressWithMetersRegisteredOnce() throws Throwable {
    VertxTestContext test = new VertxTestContext();
    EventBus bus = vertx.eventBus();
    List<String> seen = new ArrayList<>();
    bus.<String>localConsumer("test.published", msg -> seen.add(msg.body()));
    bus.<String>localConsumer("test.requested", msg -> msg.reply("pong"));
    vertx.runOnContext(v -> {
      bus.publish("test.published", "one");
      int meters = registry.getMeters().size();
      List<Future<?>> replies = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        bus.publish("test.published", "more");
        replies.add(bus.request("test.requested", "ping"));
      }
      Future.all(replies).onComplete(test.succeeding(all -> vertx.runOnContext(x -> test.verify(() -> {
        assertEquals(10, seen.size());
        assertEquals(10, count("vertx.eventbus.published", "test.published"));
        assertEquals(10, count("vertx.eventbus.received", "test.published"));
        assertEquals(10, count("vertx.eventbus.delivered", "test.published"));
        assertEquals(10, count("vertx.eventbus.processed", "test.published"));
        assertEquals(9, count("vertx.eventbus.sent", "test.requested"));
        assertEquals(9, count("vertx.eventbus.processed", "test.requested"));
        assertEquals(0, Search.in(registry).name("vertx.eventbus.pending").tag("address", "test.published").tag("side", "local")
            .gauge().value());
        assertEquals(1, Search.in(registry).name("vertx.eventbus.handlers").tag("address", "test.requested").gauge().value());
        // the second address registered its meters on its first message; nothing was registered per message after that
        int perAddress = (int) registry.getMeters().stream().filter(m -> "test.published".equals(m.getId().getTag("address"))).count();
        assertTrue(registry.getMeters().size() <= meters + perAddress, registry.getMeters().size() + " meters after " + meters);
        String scrape = registry.scrape();
        assertTrue(scrape.contains("vertx_eventbus_published_total{address=\"test.published\",side=\"local\"} 10.0"), scrape);
        test.completeNow();
      }))));
    });
    assertTrue(test.awaitCompletion(10, TimeUnit.SECONDS));
    if (test.failed()) {
      throw test.causeOfFailure();
    }
  }
}
