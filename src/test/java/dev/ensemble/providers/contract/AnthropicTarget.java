package dev.ensemble.providers.contract;

import dev.ensemble.testing.fake.FakeServer;
import dev.ensemble.testing.fake.FakeUpstream;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A {@code type: anthropic} provider on the {@link FakeUpstream}'s Messages route. */
final class AnthropicTarget extends ContractTarget {

  private FakeUpstream fake;

  AnthropicTarget() {
    super("anthropic", UpstreamWire.ANTHROPIC);
  }

  @Override
  protected Future<? extends FakeServer<?>> startFake(Vertx vertx) {
    return FakeUpstream.start(vertx).onSuccess(started -> fake = started);
  }

  @Override
  String providerSettings() {
    return "type: anthropic, base_url: " + fake.baseUrl();
  }

  @Override
  String credentialOf(int index) {
    return "sk-ant-contract-" + index;
  }

  @Override
  String credential(RecordedRequest request) {
    return request.header("x-api-key");
  }

  @Override
  String upstreamModel() {
    return "claude-sonnet-4-5-20250929";
  }

  @Override
  void enqueue(Reply reply) {
    fake.enqueue(reply);
  }

  @Override
  void enqueueRateLimited(int seconds) {
    fake.enqueue(Reply.error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit")
        .header("retry-after", String.valueOf(seconds)));
  }

  @Override
  void enqueueRetryable() {
    fake.enqueue(Reply.error(529, "overloaded_error", "Overloaded"));
  }

  @Override
  void enqueueInvalidRequest(String message) {
    fake.enqueue(Reply.error(400, "invalid_request_error", message));
  }

  @Override
  void enqueueKeyRejected() {
    fake.enqueue(Reply.error(401, "authentication_error", "invalid x-api-key"));
  }
}
