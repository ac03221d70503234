package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * JUnit 5 extension owning a {@link FakeBedrock} on its own {@link Vertx} (lifecycle in {@link FakeServerExtension}).
 */
public final class FakeBedrockExtension extends FakeServerExtension<FakeBedrock> {

  public FakeBedrockExtension() {
    super("fake Bedrock");
  }

  @Override
  protected Future<FakeBedrock> start(Vertx vertx) {
    return FakeBedrock.start(vertx);
  }

  public FakeBedrock enqueue(Reply... replies) {
    return server().enqueue(replies);
  }
}
