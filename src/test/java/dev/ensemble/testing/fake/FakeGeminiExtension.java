package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * JUnit 5 extension owning a {@link FakeGemini} on its own {@link Vertx} (lifecycle in {@link FakeServerExtension}).
 */
public final class FakeGeminiExtension extends FakeServerExtension<FakeGemini> {

  public FakeGeminiExtension() {
    super("fake Gemini");
  }

  @Override
  protected Future<FakeGemini> start(Vertx vertx) {
    return FakeGemini.start(vertx);
  }

  public FakeGemini enqueue(Reply... replies) {
    return server().enqueue(replies);
  }

  public FakeGemini enqueue(GeminiReply... replies) {
    return server().enqueue(replies);
  }
}
