package dev.ensemble.pools;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.UpstreamTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.HashSet;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The actor of one provider: opens (and on undeploy closes) its upstream transport, and owns the state of
 * its endpoints — counters, circuit breakers, rate-limit cooldowns, disabled keys. Outcomes of upstream
 * attempts arrive in the pool's inbox ({@link ProviderPool#report}, a lock-free queue the request path fills before
 * the client's answer; an outcome that changes what routing reads wakes this verticle at once, a plain success waits
 * for the next drain, at most {@value #DRAIN_MS} ms); each one updates that state (on this verticle's event loop
 * only), replaces the immutable snapshot that routing reads from {@link ProviderPool#health()} when what routing reads
 * of the endpoint changed (its circuit, cooldown or key; not for a success that only counts), and is then published
 * on {@link Addresses#poolOutcome} for observers (the cluster bridge, the metrics verticle's tap). Every message this
 * verticle answers — status, reset, keys, key states — and every peer outcome is handled after the inbox was drained:
 * an outcome reported before a client saw its answer is applied before anything that client asks next.
 * It is also the one writer of the pool's endpoint list: the admin keys of the provider arrive in full as a
 * {@link KeySet} on {@link Addresses#poolKeys}; the config file's endpoints always stay (an admin endpoint of the
 * same id — the admin key filling a config key declared with an empty api_key — takes its place), new ones start with
 * fresh state, removed ones leave the list and the health snapshot.
 *
 * <p>In a cluster, outcomes of other nodes arrive on {@link Addresses#poolPeerOutcome}: their cooldowns and
 * rejected keys apply here too (the provider's limits and credentials are shared), while counters, circuit
 * breakers and half-open probes stay per node (they describe this node's own traffic and path to the endpoint).
 */
public final class PoolVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PoolVerticle.class);

  /** How often the verticle takes in the outcomes reported without a wake (plain successes), at the latest. */
  static final long DRAIN_MS = 100;

  private final ProviderPool pool;
  private final Function<Vertx, UpstreamTransport> transportFactory;
  private final EndpointListener listener;
  private final List<Endpoint> configured;
  private final Map<String, EndpointState> states = new LinkedHashMap<>();
  /** Keys the fleet holds disabled ({@link Addresses#poolKeyState}): endpoints of theirs that appear later start disabled. */
  private final Set<String> disabledKeys = new HashSet<>();
  private final LongSupplier clock;
  /** What {@link ProviderPool#health()} holds now, by endpoint id: compared with each outcome's result. */
  private Map<String, EndpointHealth> published = Map.of();
  private UpstreamTransport transport;
  private long drainTimer = -1;

  public PoolVerticle(ProviderPool pool, Function<Vertx, UpstreamTransport> transportFactory) {
    this(pool, transportFactory, EndpointListener.NONE, System::currentTimeMillis);
  }

  /** {@code clock} gives the epoch millis that cooldowns and circuits are measured in (the router's clock). */
  public PoolVerticle(ProviderPool pool, Function<Vertx, UpstreamTransport> transportFactory, EndpointListener listener, LongSupplier clock) {
    this.pool = pool;
    this.clock = clock;
    this.transportFactory = transportFactory;
    this.listener = listener;
    this.configured = pool.endpoints();
  }

  @Override
  public Future<?> start() {
    transport = transportFactory.apply(vertx);
    pool.endpoints().forEach(e -> states.put(e.id(), new EndpointState()));
    publish();
    pool.attach(transport);
    pool.outcomes().attach(context, this::onOutcome);
    drainTimer = vertx.setPeriodic(DRAIN_MS, t -> drain());
    vertx.eventBus().<AttemptOutcome>localConsumer(Addresses.poolPeerOutcome(pool.name()), msg -> {
      drain();
      onPeerOutcome(msg.body());
    });
    vertx.eventBus().<Void>localConsumer(Addresses.poolReset(pool.name()), msg -> {
      drain();
      pool.endpoints().forEach(e -> {
        states.put(e.id(), new EndpointState());
        pool.releaseProbe(e.id());
      });
      publish();
      msg.reply(null);
    });
    vertx.eventBus().<JsonObject>localConsumer(Addresses.poolKeyState(pool.name()), msg -> {
      drain();
      String key = msg.body().getString("key");
      boolean disabled = msg.body().getBoolean("disabled", false);
      if (disabled) {
        disabledKeys.add(key);
      } else {
        disabledKeys.remove(key);
      }
      for (Endpoint e : pool.endpoints()) {
        if (e.keyName().equals(key)) {
          if (disabled) {
            states.get(e.id()).disableKey();
          } else {
            states.get(e.id()).enableKey();
          }
        }
      }
      publish();
      msg.reply(null);
    });
    vertx.eventBus().<KeySet>localConsumer(Addresses.poolKeys(pool.name()), msg -> {
      drain();
      replaceAdminEndpoints(msg.body().endpoints());
      msg.reply(null);
    });
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.poolStatus(pool.name()), msg -> {
      drain();
      msg.reply(status());
    }).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(drainTimer);
    drain();
    return transport.close();
  }

  /** Applies the outcomes reported so far (this verticle's thread). */
  private void drain() {
    pool.outcomes().drain();
  }

  private void onOutcome(AttemptOutcome outcome) {
    EndpointState state = states.get(outcome.endpointId());
    if (state != null) {
      long now = clock.getAsLong();
      state.record(outcome, now);
      if (outcome.errorClass() == ErrorClass.KEY_INVALID) {
        disableKeyOf(outcome, "");
        publish();
      } else {
        EndpointHealth before = published.get(outcome.endpointId());
        if (before == null || !state.routesAs(before, now)) {
          publish();
        }
      }
      pool.releaseProbe(outcome.endpointId());
    }
    vertx.eventBus().publish(Addresses.poolOutcome(pool.name()), outcome);
  }

  private void onPeerOutcome(AttemptOutcome outcome) {
    EndpointState state = states.get(outcome.endpointId());
    if (state == null) {
      return;
    }
    state.recordPeer(outcome, clock.getAsLong());
    if (outcome.errorClass() == ErrorClass.KEY_INVALID) {
      disableKeyOf(outcome, " on another node");
    }
    publish();
  }

  private void disableKeyOf(AttemptOutcome outcome, String where) {
    String key = keyOf(outcome.endpointId());
    for (Endpoint e : pool.endpoints()) {
      if (e.keyName().equals(key)) {
        states.get(e.id()).disableKey();
      }
    }
    String reason = outcome.status() == 0 ? outcome.errorType() : outcome.status() + " " + outcome.errorType();
    LOG.warn("provider {}: key '{}' disabled, the upstream rejected it{} ({})", pool.name(), key, where, reason);
  }

  /**
   * Serves the config file's endpoints plus {@code admin}: limiters and meters of new endpoints exist before
   * the new list is published, those of removed ones go once it no longer lists them. An endpoint whose key,
   * limits or URL changed counts as removed and added.
   */
  private void replaceAdminEndpoints(List<Endpoint> admin) {
    Map<String, Endpoint> byId = new HashMap<>();
    admin.forEach(e -> byId.put(e.id(), e));
    List<Endpoint> next = new ArrayList<>();
    // An admin key that fills a config key (declared with an empty api_key) takes its endpoints' places.
    configured.forEach(e -> next.add(byId.getOrDefault(e.id(), e)));
    Set<String> configuredIds = new HashSet<>();
    configured.forEach(e -> configuredIds.add(e.id()));
    admin.stream().filter(e -> !configuredIds.contains(e.id())).forEach(next::add);
    Map<String, Endpoint> before = new HashMap<>();
    pool.endpoints().forEach(e -> before.put(e.id(), e));
    Map<String, Endpoint> after = new HashMap<>();
    next.forEach(e -> after.put(e.id(), e));
    List<Endpoint> removed = new ArrayList<>();
    before.forEach((id, e) -> {
      if (!e.equals(after.get(id))) {
        removed.add(e);
      }
    });
    for (Endpoint e : next) {
      if (!e.equals(before.get(e.id()))) {
        EndpointState fresh = new EndpointState();
        if (disabledKeys.contains(e.keyName())) {
          fresh.disableKey();
        }
        states.put(e.id(), fresh);
        pool.forgetProbe(e.id());
        listener.added(pool, e);
      }
    }
    for (Endpoint e : removed) {
      if (!after.containsKey(e.id())) {
        states.remove(e.id());
      }
    }
    publish();
    pool.endpoints(next);
    for (Endpoint e : removed) {
      if (!after.containsKey(e.id())) {
        pool.forgetProbe(e.id());
        listener.removed(pool, e);
      }
    }
  }

  private String keyOf(String endpointId) {
    for (Endpoint e : pool.endpoints()) {
      if (e.id().equals(endpointId)) {
        return e.keyName();
      }
    }
    return null;
  }

  private void publish() {
    long now = clock.getAsLong();
    Map<String, EndpointHealth> snapshot = new HashMap<>();
    states.forEach((id, state) -> snapshot.put(id, state.snapshot(now)));
    pool.health(snapshot);
    published = pool.health();
  }

  /** The endpoints as they are now: counters included (the published snapshot's are those of its last change). */
  private JsonObject status() {
    JsonArray endpoints = new JsonArray();
    long now = clock.getAsLong();
    Map<String, EndpointHealth> health = new HashMap<>();
    states.forEach((id, state) -> health.put(id, state.snapshot(now)));
    for (Endpoint e : pool.endpoints()) {
      EndpointHealth h = health.getOrDefault(e.id(), EndpointHealth.NEW);
      endpoints.add(new JsonObject()
          .put("id", e.id())
          .put("key", e.keyName())
          .put("api_key", e.apiKey().masked())
          .put("base_url", e.baseUrl())
          // has a key the provider has not refused (a cooldown or an open circuit passes; they are in health)
          .put("usable", pool.isUsable(e) && !h.keyDisabled())
          .put("rpm_limit", e.rpmLimit())
          .put("tpm_limit", e.tpmLimit())
          .put("health", h.toJson()));
    }
    return new JsonObject().put("name", pool.name()).put("type", pool.config().type().name().toLowerCase())
        .put("strategy", pool.config().strategy().configName()).put("endpoints", endpoints);
  }
}
