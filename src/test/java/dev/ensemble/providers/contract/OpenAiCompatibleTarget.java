package dev.ensemble.providers.contract;

import dev.ensemble.testing.fake.FakeServer;
import dev.ensemble.testing.fake.FakeUpstream;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * A {@code type: openai} provider of one OpenAI-compatible kind ({@code openai}, {@code xai}, {@code fireworks},
 * {@code openrouter}, {@code self_hosted}) on the {@link FakeUpstream}'s Chat Completions route. A keyless one
 * (a self-hosted server started without {@code --api-key}) sends no {@code Authorization} at all.
 */
final class OpenAiCompatibleTarget extends ContractTarget {

  private final String kind;
  private final String model;
  private final boolean keyed;
  private FakeUpstream fake;

  OpenAiCompatibleTarget(String kind, String model, boolean keyed) {
    super(kind, UpstreamWire.OPENAI);
    this.kind = kind;
    this.model = model;
    this.keyed = keyed;
  }

  @Override
  protected Future<? extends FakeServer<?>> startFake(Vertx vertx) {
    return FakeUpstream.start(vertx).onSuccess(started -> fake = started);
  }

  @Override
  void prepare() {
    if (!keyed) {
      fake.acceptMissingKey();
    }
  }

  @Override
  String providerSettings() {
    return "type: openai, kind: " + kind + ", base_url: " + fake.openAiBaseUrl();
  }

  @Override
  String key(int index, String endpointId) {
    return keyed ? super.key(index, endpointId) : "{ name: k" + index + ", endpoints: [ { id: " + endpointId + " } ] }";
  }

  @Override
  String credentialOf(int index) {
    return keyed ? "sk-" + kind + "-contract-" + index : null;
  }

  @Override
  String credential(RecordedRequest request) {
    String authorization = request.header("authorization");
    return authorization == null ? null : authorization.substring("Bearer ".length());
  }

  @Override
  String upstreamModel() {
    return model;
  }

  @Override
  void enqueue(Reply reply) {
    fake.enqueue(reply);
  }

  @Override
  void enqueueRateLimited(int seconds) {
    fake.enqueue(Reply.error(429, "rate_limit_exceeded", "Rate limit reached for requests").header("retry-after", String.valueOf(seconds)));
  }

  @Override
  void enqueueRetryable() {
    fake.enqueue(Reply.error(500, "server_error", "The server had an error while processing your request."));
  }

  @Override
  void enqueueInvalidRequest(String message) {
    fake.enqueue(Reply.error(400, "invalid_request_error", message));
  }

  @Override
  void enqueueKeyRejected() {
    fake.enqueue(Reply.error(401, "invalid_api_key", "Incorrect API key provided."));
  }
}
