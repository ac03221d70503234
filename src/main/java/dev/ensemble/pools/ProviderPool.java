package dev.ensemble.pools;

import dev.ensemble.bus.Inbox;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.model.Passthrough;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.ProviderCapabilities;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.UpstreamResponse;
import dev.ensemble.providers.UpstreamTransport;
import dev.ensemble.providers.auth.UpstreamAuth;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One provider as the request path sees it: its config, adapter, credentials and endpoints, and the
 * transport its {@link PoolVerticle} opened. Immutable apart from three references written by that verticle:
 * the transport (set once at its start, before any ingress deploys), the endpoint list (replaced when keys
 * are added or removed at run time) and the endpoint-health snapshot (replaced wholesale when what routing reads of
 * an endpoint changes); readers on any thread see a consistent value without locks. The
 * half-open probe flags are atomics: routing claims one with a CAS, the verticle releases it on the outcome.
 * The outcomes of attempts reach the verticle through its {@link Inbox} ({@link #report}): many writers (the event
 * loops), one reader (the verticle's).
 */
public final class ProviderPool {

  private final ProviderConfig config;
  private final ProviderAdapter adapter;
  private final ProviderCapabilities capabilities;
  private final UpstreamAuth auth;
  private volatile List<Endpoint> endpoints;
  private volatile UpstreamTransport transport;
  private volatile Map<String, EndpointHealth> health = Map.of();
  private final Map<String, AtomicBoolean> probes = new ConcurrentHashMap<>();
  private final Inbox<AttemptOutcome> outcomes;

  public ProviderPool(ProviderConfig config, ProviderAdapter adapter, UpstreamAuth auth, List<Endpoint> endpoints) {
    this(config, adapter, ProviderCapabilities.CHAT_ONLY, auth, endpoints);
  }

  public ProviderPool(ProviderConfig config, ProviderAdapter adapter, ProviderCapabilities capabilities, UpstreamAuth auth,
      List<Endpoint> endpoints) {
    this.config = config;
    this.adapter = adapter;
    this.capabilities = capabilities;
    this.auth = auth;
    this.endpoints = List.copyOf(endpoints);
    this.outcomes = new Inbox<>("pool " + config.name() + " outcomes");
  }

  public String name() {
    return config.name();
  }

  public ProviderConfig config() {
    return config;
  }

  public ProviderAdapter adapter() {
    return adapter;
  }

  /**
   * The adapter for a request that came as {@code passthrough} (null when it did not): the one that sends it in its
   * client's own format when this provider takes it as is, else {@link #adapter()}.
   */
  public ProviderAdapter adapterFor(Passthrough passthrough) {
    ProviderAdapter own = passthrough == null ? null : adapter.passthrough(passthrough);
    return own != null ? own : adapter;
  }

  /** What the provider can do besides chat; its {@link #adapter()} still classifies every error. */
  public ProviderCapabilities capabilities() {
    return capabilities;
  }

  /** The endpoints now: the config file's, then those of keys added through the admin API. Immutable. */
  public List<Endpoint> endpoints() {
    return endpoints;
  }

  void endpoints(List<Endpoint> current) {
    this.endpoints = List.copyOf(current);
  }

  /** Whether {@code endpoint} can take traffic at all: it has the credentials its provider needs. */
  public boolean isUsable(Endpoint endpoint) {
    return !config.needsKey() || !endpoint.apiKey().isEmpty();
  }

  public Map<String, EndpointHealth> health() {
    return health;
  }

  void health(Map<String, EndpointHealth> snapshot) {
    this.health = Map.copyOf(snapshot);
  }

  /**
   * Hands the outcome of an attempt to the pool's verticle, from any event loop. One that can change what routing reads
   * of its endpoint (a failure, a success that says the key's capacity is used up, a success while the endpoint's
   * circuit is not closed: a probe's) wakes the verticle at once, so the next decision sees its effect as soon as the
   * verticle ran; a plain success (counters only) does not wake it: the verticle takes it in at its next drain (within
   * {@link PoolVerticle#DRAIN_MS} ms, or before a later outcome, a status question or a reset). Either keeps its place
   * in the order of the pool's outcomes.
   */
  public void report(AttemptOutcome outcome) {
    if (outcome.success() && outcome.retryAfterMillis() == null
        && health.getOrDefault(outcome.endpointId(), EndpointHealth.NEW).openUntil() == 0) {
      outcomes.offerLater(outcome);
    } else {
      outcomes.offerNow(outcome);
    }
  }

  /** The verticle's inbox of attempt outcomes: {@link Inbox#settle()} waits until the verticle took in those reported so far. */
  public Inbox<AttemptOutcome> outcomes() {
    return outcomes;
  }

  /**
   * Claims the single probe of a half-open circuit on {@code endpointId}; true for exactly one caller until
   * the probe's outcome arrives at the pool verticle.
   */
  public boolean tryTakeProbe(String endpointId) {
    return probes.computeIfAbsent(endpointId, id -> new AtomicBoolean()).compareAndSet(false, true);
  }

  void forgetProbe(String endpointId) {
    probes.remove(endpointId);
  }

  void releaseProbe(String endpointId) {
    AtomicBoolean probe = probes.get(endpointId);
    if (probe != null) {
      probe.set(false);
    }
  }

  void attach(UpstreamTransport transport) {
    this.transport = transport;
  }

  /**
   * Sends {@code call} to {@code endpoint} with the provider's configured headers and the endpoint's credentials. The
   * response's headers must arrive within {@code first_byte_timeout_ms} for a stream, within {@code timeout_ms} for a
   * call answered in one piece (whose headers come with the whole answer).
   */
  public Future<UpstreamResponse> send(Endpoint endpoint, UpstreamCall call) {
    UpstreamTransport t = transport;
    if (t == null) {
      return Future.failedFuture(new IllegalStateException("provider " + name() + " is not started"));
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(call.headers());
    config.headers().forEach((name, value) -> headers.set(name, value.value()));
    long firstByteTimeoutMs = call.stream() ? config.firstByteTimeoutMs() : config.timeoutMs();
    Future<String> url = auth.authorize(headers, endpoint, call.path());
    // a key in the config gives its URL at once (no composition per request); a token being fetched, later
    if (url.succeeded()) {
      try {
        return t.send(call.method(), url.result(), headers, call.body(), firstByteTimeoutMs);
      } catch (RuntimeException e) {
        return Future.failedFuture(e); // as the composition would have answered it
      }
    }
    return url.compose(absolute -> t.send(call.method(), absolute, headers, call.body(), firstByteTimeoutMs));
  }
}
