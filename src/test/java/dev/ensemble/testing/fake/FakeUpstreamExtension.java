package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * JUnit 5 extension owning a {@link FakeUpstream} on its own {@link Vertx} (lifecycle in {@link FakeServerExtension}).
 * Register it with {@code @RegisterExtension static FakeUpstreamExtension fake = new FakeUpstreamExtension();}.
 */
public final class FakeUpstreamExtension extends FakeServerExtension<FakeUpstream> {

  public FakeUpstreamExtension() {
    super("fake upstream");
  }

  @Override
  protected Future<FakeUpstream> start(Vertx vertx) {
    return FakeUpstream.start(vertx);
  }

  public FakeUpstream enqueue(Reply... replies) {
    return server().enqueue(replies);
  }

  public String openAiBaseUrl() {
    return server().openAiBaseUrl();
  }
}
