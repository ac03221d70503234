package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

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

  @Override
  protected void reset(FakeUpstream server) {
    server.reset();
  }

  public FakeUpstream enqueue(Reply... replies) {
    return server().enqueue(replies);
  }

  public void reset() {
    server().reset();
  }

  public List<RecordedRequest> requests() {
    return server().requests();
  }

  public RecordedRequest lastRequest() {
    return server().lastRequest();
  }

  public int requestCount() {
    return server().requestCount();
  }

  public String baseUrl() {
    return server().baseUrl();
  }

  public String openAiBaseUrl() {
    return server().openAiBaseUrl();
  }

  public int port() {
    return server().port();
  }
}
