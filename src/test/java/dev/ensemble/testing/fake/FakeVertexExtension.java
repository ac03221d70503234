package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * JUnit 5 extension owning, on their own {@link Vertx}, a {@link FakeGoogleOAuth} token endpoint and a
 * {@link FakeVertex} accepting its tokens, for a test class (a static field); both are reset before each test.
 */
public final class FakeVertexExtension extends FakeServerExtension<FakeVertex> {

  private FakeGoogleOAuth oauth;

  public FakeVertexExtension() {
    super("fake Vertex");
  }

  @Override
  protected Future<FakeVertex> start(Vertx vertx) {
    return FakeGoogleOAuth.start(vertx).compose(started -> {
      oauth = started;
      return FakeVertex.start(vertx, started);
    });
  }

  @Override
  protected void reset(FakeVertex server) {
    oauth.reset();
    server.reset();
  }

  public FakeGoogleOAuth oauth() {
    return oauth;
  }

  public FakeVertex enqueue(Reply... replies) {
    return server().enqueue(replies);
  }

  public FakeVertex enqueue(GeminiReply... replies) {
    return server().enqueue(replies);
  }
}
