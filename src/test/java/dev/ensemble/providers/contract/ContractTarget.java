package dev.ensemble.providers.contract;

import dev.ensemble.testing.fake.FakeServer;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * One provider kind as the {@link ProviderContractIT contract} drives it: its fake, the provider settings and keys
 * that point a gateway at that fake, how to script an answer and each error class in the provider's own wire format,
 * and how to read what the fake received. The only per-provider code of the contract.
 */
abstract class ContractTarget {

  private final String name;
  private final UpstreamWire wire;
  private FakeServer<?> fake;

  protected ContractTarget(String name, UpstreamWire wire) {
    this.name = name;
    this.wire = wire;
  }

  /** Starts the provider's fake (and whatever it needs, e.g. a token endpoint) on {@code vertx}. */
  final Future<Void> start(Vertx vertx) {
    return startFake(vertx).map(started -> {
      fake = started;
      return null;
    });
  }

  protected abstract Future<? extends FakeServer<?>> startFake(Vertx vertx);

  /** Settings of a provider on the fake, as YAML flow-mapping entries ({@code type: ..., base_url: ...}). */
  abstract String providerSettings();

  /**
   * Key {@code index} (0, 1, 2, ...: each a distinct credential) with one endpoint {@code endpointId}, as YAML; by
   * default the {@link #credentialOf credential} is the API key.
   */
  String key(int index, String endpointId) {
    return "{ name: k" + index + ", api_key: " + credentialOf(index) + ", endpoints: [ { id: " + endpointId + " } ] }";
  }

  /** What the fake sees of key {@code index} ({@link #credential}), or null when the key sends none. */
  abstract String credentialOf(int index);

  /** The credential a recorded request carried (its key, access key id or token owner), or null. */
  abstract String credential(RecordedRequest request);

  /** The model id the provider is asked for. */
  abstract String upstreamModel();

  /** Queues an answer on the fake. */
  abstract void enqueue(Reply reply);

  /** Queues a RATE_LIMITED answer telling the client to wait {@code seconds}, where the format can say so. */
  abstract void enqueueRateLimited(int seconds);

  /** Queues a RETRYABLE answer: the provider is failing or overloaded. */
  abstract void enqueueRetryable();

  /** Queues a PERMANENT answer: 400, the request is invalid, with {@code message}. */
  abstract void enqueueInvalidRequest(String message);

  /** Queues a KEY_INVALID answer: the credential is rejected. */
  abstract void enqueueKeyRejected();

  /**
   * Whether the provider's 429 carries a wait ({@code retry-after}, Gemini's {@code RetryInfo}) that the gateway
   * should pass on as is; where it does not, the client still gets a {@code Retry-After}, of the gateway's choosing.
   */
  boolean rateLimitCarriesWait() {
    return true;
  }

  /**
   * The YAML flow mapping of a provider on the fake with one key per endpoint id, keys {@code firstKey},
   * {@code firstKey + 1}, ..., plus {@code extra} settings.
   */
  final String provider(int firstKey, List<String> endpointIds, String extra) {
    List<String> keys = new ArrayList<>();
    for (String endpointId : endpointIds) {
      keys.add(key(firstKey + keys.size(), endpointId));
    }
    return "{ " + providerSettings() + (extra.isEmpty() ? "" : ", " + extra) + ", keys: [ " + String.join(", ", keys) + " ] }";
  }

  final UpstreamWire wire() {
    return wire;
  }

  /** Clears the fake's scripts and recordings between tests, then {@link #prepare prepares} it again. */
  final void reset() {
    fake.reset();
    prepare();
  }

  /** Sets the fake up the way this provider behaves (e.g. admits keyless requests), after each reset. */
  void prepare() {
  }

  final List<RecordedRequest> received() {
    return fake.requests();
  }

  final RecordedRequest lastReceived() {
    return fake.lastRequest();
  }

  @Override
  public String toString() {
    return name;
  }
}
