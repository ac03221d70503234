package dev.ensemble.providers.contract;

import dev.ensemble.testing.fake.FakeGemini;
import dev.ensemble.testing.fake.FakeServer;
import dev.ensemble.testing.fake.GeminiReply;
import dev.ensemble.testing.fake.RecordedRequest;
import dev.ensemble.testing.fake.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** A {@code type: gemini} provider (Google AI Studio) on the {@link FakeGemini}. */
final class GeminiTarget extends ContractTarget {

  private FakeGemini fake;

  GeminiTarget() {
    super("gemini", UpstreamWire.GEMINI);
  }

  @Override
  protected Future<? extends FakeServer<?>> startFake(Vertx vertx) {
    return FakeGemini.start(vertx).onSuccess(started -> fake = started);
  }

  @Override
  String providerSettings() {
    return "type: gemini, base_url: " + fake.baseUrl();
  }

  @Override
  String credentialOf(int index) {
    return "AIza-contract-key-" + index;
  }

  @Override
  String credential(RecordedRequest request) {
    return request.header("x-goog-api-key");
  }

  @Override
  String upstreamModel() {
    return "gemini-2.5-flash";
  }

  @Override
  void enqueue(Reply reply) {
    fake.enqueue(reply);
  }

  @Override
  void enqueueRateLimited(int seconds) {
    fake.enqueue(GeminiReply.error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota").retryDelay(seconds + "s"));
  }

  @Override
  void enqueueRetryable() {
    fake.enqueue(GeminiReply.error(503, "UNAVAILABLE", "The model is overloaded. Please try again later."));
  }

  @Override
  void enqueueInvalidRequest(String message) {
    fake.enqueue(GeminiReply.error(400, "INVALID_ARGUMENT", message));
  }

  @Override
  void enqueueKeyRejected() {
    fake.enqueue(GeminiReply.error(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.").reason("API_KEY_INVALID"));
  }
}
