package dev.ensemble.cluster;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.pools.AttemptOutcome;
import dev.ensemble.routing.UsageReport;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Carries what one node learns of the providers to the other nodes of its cluster. The node's pool and router
 * verticles publish each outcome and usage report they took in on local addresses, with a codec that never leaves
 * the JVM; this verticle listens there and publishes, as JSON tagged with this node's id ({@link PeerRecords}), what the other nodes should know:
 * <ul>
 *   <li>attempt outcomes that cool an endpoint down (a 429, or a success that used up the key's capacity) or
 *       reject its key (401/403), on {@link Addresses#CLUSTER_OUTCOME};</li>
 *   <li>usage reports of answered requests that taught cache affinity, on {@link Addresses#CLUSTER_USAGE}.</li>
 * </ul>
 * What arrives from other nodes it re-publishes on this node's local peer addresses
 * ({@link Addresses#poolPeerOutcome}, {@link Addresses#ROUTING_PEER_USAGE}), where the pool and router verticles
 * apply the shared part of it. It also watches the member count and reports changes to {@code onMembers}
 * (the Redis limiter's fair share while Redis is down). Deployed only on a clustered node.
 */
public final class ClusterBridge extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterBridge.class);

  /**
   * How often the member count is read. The cluster-manager SPI takes a single node listener, which Vert.x
   * itself holds, so membership is sampled rather than listened to; reading it is a local call.
   */
  static final long MEMBERSHIP_CHECK_MILLIS = 1_000;

  private final ClusterMembership membership;
  private final Set<String> providers;
  private final IntConsumer onMembers;
  private long timer = -1;
  private int members;

  public ClusterBridge(ClusterMembership membership, Set<String> providers, IntConsumer onMembers) {
    this.membership = membership;
    this.providers = Set.copyOf(providers);
    this.onMembers = onMembers;
  }

  @Override
  public Future<?> start() {
    String self = membership.nodeId();
    EventBus bus = vertx.eventBus();
    List<Future<Void>> registered = new ArrayList<>();
    for (String provider : providers) {
      registered.add(bus.<AttemptOutcome>localConsumer(Addresses.poolOutcome(provider), msg -> {
        if (sharesOutcome(msg.body())) {
          bus.publish(Addresses.CLUSTER_OUTCOME, PeerRecords.toJson(self, msg.body()));
        }
      }).completion());
    }
    registered.add(bus.<UsageReport>localConsumer(Addresses.ROUTING_USAGE, msg -> {
      if (teachesAffinity(msg.body())) {
        bus.publish(Addresses.CLUSTER_USAGE, PeerRecords.toJson(self, msg.body()));
      }
    }).completion());
    registered.add(bus.<JsonObject>consumer(Addresses.CLUSTER_OUTCOME, msg -> {
      JsonObject json = msg.body();
      if (!self.equals(PeerRecords.origin(json)) && providers.contains(json.getString("provider"))) {
        AttemptOutcome outcome = PeerRecords.outcomeFromJson(json);
        bus.publish(Addresses.poolPeerOutcome(outcome.provider()), outcome);
      }
    }).completion());
    registered.add(bus.<JsonObject>consumer(Addresses.CLUSTER_USAGE, msg -> {
      JsonObject json = msg.body();
      if (!self.equals(PeerRecords.origin(json)) && providers.contains(json.getString("provider"))) {
        bus.publish(Addresses.ROUTING_PEER_USAGE, PeerRecords.usageFromJson(json));
      }
    }).completion());
    checkMembers();
    timer = vertx.setPeriodic(MEMBERSHIP_CHECK_MILLIS, id -> checkMembers());
    return Future.all(registered);
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  /** Whether other nodes should apply {@code outcome}: it cools the endpoint down or rejects its key. */
  static boolean sharesOutcome(AttemptOutcome outcome) {
    return outcome.errorClass() == ErrorClass.RATE_LIMITED || outcome.errorClass() == ErrorClass.KEY_INVALID
        || (outcome.success() && outcome.retryAfterMillis() != null);
  }

  /** Whether {@code report} taught this node cache affinity that other nodes can use. */
  static boolean teachesAffinity(UsageReport report) {
    return report.teachesAffinity();
  }

  private void checkMembers() {
    int now = Math.max(1, membership.members().size());
    if (now != members) {
      LOG.info("cluster: {} member(s), this node is {}", now, membership.nodeId());
      members = now;
      onMembers.accept(now);
    }
  }
}
