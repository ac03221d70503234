package dev.ensemble.providers.contract;

import dev.ensemble.testing.fake.FakeBedrock;
import dev.ensemble.testing.fake.FakeServer;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A {@code type: bedrock} provider (Claude on InvokeModel) on the {@link FakeBedrock}; errors are Bedrock exceptions. */
final class BedrockTarget extends ContractTarget {

  private FakeBedrock fake;

  BedrockTarget() {
    super("bedrock", UpstreamWire.ANTHROPIC);
  }

  @Override
  protected Future<? extends FakeServer<?>> startFake(Vertx vertx) {
    return FakeBedrock.start(vertx).onSuccess(started -> fake = started);
  }

  @Override
  String providerSettings() {
    return "type: bedrock, base_url: " + fake.baseUrl();
  }

  @Override
  String key(int index, String endpointId) {
    return "{ name: k" + index + ", api_key: \"" + credentialOf(index) + ":secret-" + index + "\", endpoints: [ { id: "
        + endpointId + ", region: us-east-1 } ] }";
  }

  @Override
  String credentialOf(int index) {
    return "AKIDCONTRACT" + index;
  }

  @Override
  String credential(RecordedRequest request) {
    return FakeBedrock.signedAccessKey(request);
  }

  @Override
  String upstreamModel() {
    return "anthropic.claude-sonnet-4-5-20250929-v1:0";
  }

  /** Bedrock's ThrottlingException carries no wait: no {@code retry-after}, nothing in the body. */
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
    fake.enqueue(Reply.error(429, "ThrottlingException", "Too many requests, please wait before trying again."));
  }

  @Override
  void enqueueRetryable() {
    fake.enqueue(Reply.error(503, "ServiceUnavailableException", "Service is temporarily unavailable."));
  }

  @Override
  void enqueueInvalidRequest(String message) {
    fake.enqueue(Reply.error(400, "ValidationException", message));
  }

  @Override
  void enqueueKeyRejected() {
    fake.enqueue(Reply.error(403, "UnrecognizedClientException", "The security token included in the request is invalid."));
  }
}
