package dev.ensemble.providers.contract;

import dev.ensemble.testing.fake.FakeGoogleOAuth;
import dev.ensemble.testing.fake.FakeServer;
import dev.ensemble.testing.fake.FakeVertex;
import dev.ensemble.testing.fake.GeminiReply;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import dev.ensemble.testing.fake.ServiceAccountKey;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code type: vertex} provider on the {@link FakeVertex}, for one publisher: Claude ({@code rawPredict}, Anthropic
 * bodies and model errors) or Gemini ({@code generateContent}, Google bodies and errors). Keys are service accounts of
 * the {@link FakeGoogleOAuth}; quota and credential failures are Vertex's own, in Google's format, for both.
 */
final class VertexTarget extends ContractTarget {

  private static final int ACCOUNTS = 3;

  private final boolean claude;
  private final List<ServiceAccountKey> accounts = new ArrayList<>();
  private FakeGoogleOAuth oauth;
  private FakeVertex fake;

  private VertexTarget(String name, UpstreamWire wire, boolean claude) {
    super(name, wire);
    this.claude = claude;
  }

  static VertexTarget claude() {
    return new VertexTarget("vertex-claude", UpstreamWire.ANTHROPIC, true);
  }

  static VertexTarget gemini() {
    return new VertexTarget("vertex-gemini", UpstreamWire.GEMINI, false);
  }

  @Override
  protected Future<? extends FakeServer<?>> startFake(Vertx vertx) {
    return FakeGoogleOAuth.start(vertx).compose(started -> {
      oauth = started;
      for (int i = 0; i < ACCOUNTS; i++) {
        accounts.add(oauth.newAccount("contract-" + i, "proj-contract-" + i));
      }
      return FakeVertex.start(vertx, started);
    }).onSuccess(started -> fake = started);
  }

  @Override
  String providerSettings() {
    return "type: vertex, base_url: " + fake.baseUrl();
  }

  @Override
  String key(int index, String endpointId) {
    return "{ name: k" + index + ", api_key: '" + accounts.get(index).json() + "', endpoints: [ { id: " + endpointId
        + ", region: us-east5 } ] }";
  }

  @Override
  String credentialOf(int index) {
    return accounts.get(index).clientEmail();
  }

  @Override
  String credential(RecordedRequest request) {
    String authorization = request.header("authorization");
    return authorization == null ? null : oauth.ownerOf(authorization.substring("Bearer ".length()));
  }

  @Override
  String upstreamModel() {
    return claude ? "claude-sonnet-4-5@20250929" : "gemini-2.5-flash";
  }

  /** Vertex's quota 429 ({@code RESOURCE_EXHAUSTED}) carries no {@code RetryInfo} and no {@code retry-after}. */
  @Override
  boolean rateLimitCarriesWait() {
    return false;
  }

  @Override
  void enqueue(Reply reply) {
    fake.enqueue(reply);
  }

  @Override
  void enqueueRateLimited(int seconds) {
    fake.enqueuePlatformError(429, "RESOURCE_EXHAUSTED",
        "Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model.");
  }

  @Override
  void enqueueRetryable() {
    if (claude) {
      fake.enqueue(Reply.error(529, "overloaded_error", "Overloaded"));
    } else {
      fake.enqueue(GeminiReply.error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."));
    }
  }

  @Override
  void enqueueInvalidRequest(String message) {
    if (claude) {
      fake.enqueue(Reply.error(400, "invalid_request_error", message));
    } else {
      fake.enqueue(GeminiReply.error(400, "INVALID_ARGUMENT", message));
    }
  }

  @Override
  void enqueueKeyRejected() {
    fake.enqueuePlatformError(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access "
        + "token, login cookie or other valid authentication credential.");
  }
}
