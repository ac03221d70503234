package dev.ensemble.balancer;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The balancer's readiness checks against a node of its own on 127.0.0.1 that answers {@code /api/v1/ready} as each
 * test scripts it. The balancer asks a node again only once its last check ended, so when the node receives check
 * {@code n + 1}, check {@code n}'s outcome has been applied: that is when each test looks at the rotation.
 */
@ExtendWith(VertxExtension.class)
class ReadyBalancerIT {

  private HttpServer node;
  private ReadyBalancer lb;

  @AfterEach
  void close() {
    if (lb != null) {
      lb.close();
    }
    if (node != null) {
      node.close().await();
    }
  }

  /** Starts the node (calling {@code onCheck} with each readiness request and its number, from 1) and a balancer over it. */
  private void start(Vertx vertx, BiConsumer<HttpServerRequest, Integer> onCheck) {
    AtomicInteger checks = new AtomicInteger();
    node = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> onCheck.accept(req, checks.incrementAndGet())).listen().await();
    lb = ReadyBalancer.start(vertx, List.of(node.actualPort()), 50).await();
  }

  @Test
  void aNodeThatDoesNotAnswerInTimeStaysInRotationUntilItLeftThreeChecksInARowUnanswered(Vertx vertx, VertxTestContext test) {
    start(vertx, (req, n) -> {
      if (n == 1) {
        req.response().end("{\"status\":\"ready\"}");
        return;
      }
      // checks 2, 3, 4, 5...: held until the balancer gives up on them (1 s each)
      int unanswered = n - 2;
      test.verify(() -> {
        if (unanswered < ReadyBalancer.UNANSWERED_CHECKS_TO_LEAVE) {
          assertTrue(lb.ready().contains(node.actualPort()), unanswered + " unanswered checks in a row: still in rotation");
        } else {
          assertFalse(lb.ready().contains(node.actualPort()), unanswered + " unanswered checks in a row: out of rotation");
          test.completeNow();
        }
      });
    });
  }

  @Test
  void aNodeThatAnswers503LeavesTheRotationAtOnceAndComesBackOnTheNext200(Vertx vertx, VertxTestContext test) {
    start(vertx, (req, n) -> {
      switch (n) {
        case 1 -> req.response().end("{\"status\":\"ready\"}");
        case 2 -> {
          test.verify(() -> assertTrue(lb.ready().contains(node.actualPort()), "ready after a 200"));
          req.response().setStatusCode(503).end("{\"status\":\"draining\"}");
        }
        case 3 -> {
          test.verify(() -> assertFalse(lb.ready().contains(node.actualPort()), "out of rotation after one 503"));
          req.response().end("{\"status\":\"ready\"}");
        }
        case 4 -> {
          test.verify(() -> assertTrue(lb.ready().contains(node.actualPort()), "back after a 200"));
          req.response().end("{\"status\":\"ready\"}");
          test.completeNow();
        }
        default -> req.response().end("{\"status\":\"ready\"}");
      }
    });
  }
}
