package dev.ensemble.cluster;

import dev.ensemble.bus.Addresses;
import dev.ensemble.bus.LocalCodec;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.UsageReport;
import dev.ensemble.testing.cluster.LoopbackCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Two bare clustered Vert.x nodes, each with only a {@link ClusterBridge}: what crosses, what does not, membership. */
class ClusterBridgeIT {

  private final List<Vertx> nodes = new ArrayList<>();

  private Vertx node(LoopbackCluster cluster) throws Exception {
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventBusOptions(new EventBusOptions().setHost("127.0.0.1").setPort(0)))
        .withClusterManager(cluster.newMember()).buildClustered().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.eventBus().registerDefaultCodec(AttemptOutcome.class, new LocalCodec<>(AttemptOutcome.class));
    vertx.eventBus().registerDefaultCodec(UsageReport.class, new LocalCodec<>(UsageReport.class));
    nodes.add(vertx);
    return vertx;
  }

  private static void deploy(Vertx vertx, List<Integer> members) throws Exception {
    vertx.deployVerticle(new ClusterBridge(ClusterMembership.of(vertx), Set.of("ant"), members::add))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeTogether() throws Exception {
    List<Future<Void>> closes = new ArrayList<>();
    nodes.forEach(v -> closes.add(v.close()));
    Future.join(closes).toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aCooldownCrossesToTheOtherNodeOnlyAndTheMemberCountFollowsTheCluster() throws Exception {
    LoopbackCluster cluster = new LoopbackCluster();
    Vertx a = node(cluster);
    List<Integer> membersSeenByA = new CopyOnWriteArrayList<>();
    deploy(a, membersSeenByA);
    Vertx b = node(cluster);
    List<Integer> membersSeenByB = new CopyOnWriteArrayList<>();
    deploy(b, membersSeenByB);

    CompletableFuture<AttemptOutcome> onB = new CompletableFuture<>();
    b.eventBus().<AttemptOutcome>localConsumer(Addresses.poolPeerOutcome("ant"), m -> onB.complete(m.body()))
        .completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    List<AttemptOutcome> onA = new CopyOnWriteArrayList<>();
    a.eventBus().<AttemptOutcome>localConsumer(Addresses.poolPeerOutcome("ant"), m -> onA.add(m.body()))
        .completion().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

    a.eventBus().publish(Addresses.poolOutcome("ant"), new AttemptOutcome("ant", "ant-1", 503, ErrorClass.RETRYABLE, "overloaded", null, 5));
    AttemptOutcome limited = new AttemptOutcome("ant", "ant-1", 429, ErrorClass.RATE_LIMITED, "rate_limit_error", 30_000L, 7);
    a.eventBus().publish(Addresses.poolOutcome("ant"), limited);

    assertEquals(limited, onB.get(5, TimeUnit.SECONDS), "the 503 stays on node A, the 429 crosses");
    // B's bridge saw both members when it started; A's learns of B at its next membership check.
    assertEquals(List.of(2), membersSeenByB);
    CompletableFuture<Void> aSawTwo = new CompletableFuture<>();
    long timer = a.setPeriodic(50, id -> {
      if (membersSeenByA.contains(2)) {
        aSawTwo.complete(null);
      }
    });
    aSawTwo.get(5, TimeUnit.SECONDS);
    a.cancelTimer(timer);
    assertEquals(List.of(1, 2), membersSeenByA);
    // A's own 429 reached A's bridge too (a cluster-wide publish includes the sender) and was dropped there:
    // the first peer outcome A's pool hears of is B's.
    AttemptOutcome rejected = new AttemptOutcome("ant", "ant-2", 401, ErrorClass.KEY_INVALID, "authentication_error", null, 3);
    b.eventBus().publish(Addresses.poolOutcome("ant"), rejected);
    CompletableFuture<Void> aHeard = new CompletableFuture<>();
    long poll = a.setPeriodic(20, id -> {
      if (!onA.isEmpty()) {
        aHeard.complete(null);
      }
    });
    aHeard.get(5, TimeUnit.SECONDS);
    a.cancelTimer(poll);
    assertEquals(rejected, onA.get(0));
  }
}
