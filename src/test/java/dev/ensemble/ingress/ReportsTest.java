package dev.ensemble.ingress;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The request path's reports (usage for the router, outcomes for the pools) leave after the event-loop task that made
 * them, i.e. after the answer that task writes, and still reach every consumer and observer of their address.
 */
@ExtendWith(VertxExtension.class)
class ReportsTest {

  private static final String ADDRESS = "test.reports";

  @Test
  void aReportIsPublishedAfterTheTaskThatMadeItHasWrittenItsAnswer(Vertx vertx, VertxTestContext test) {
    List<String> order = new CopyOnWriteArrayList<>();
    // runs on the publishing thread as the report is published, like the metrics verticle's tap
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      if (ADDRESS.equals(delivery.message().address())) {
        order.add("published " + delivery.body());
      }
      delivery.next();
    });
    vertx.eventBus().<String>localConsumer(ADDRESS, msg -> test.verify(() -> {
      assertEquals(List.of("answer written", "published usage"), order);
      assertEquals("usage", msg.body());
      test.completeNow();
    })).completion().onComplete(test.succeeding(registered -> {
      Context loop = vertx.getOrCreateContext();
      loop.runOnContext(v -> {
        Reports.publish(vertx, ADDRESS, "usage");
        order.add("answer written");
      });
    }));
  }
}
