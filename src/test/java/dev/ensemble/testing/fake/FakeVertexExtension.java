package dev.ensemble.testing.fake;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * JUnit 5 extension owning, on their own {@link Vertx}, a {@link FakeGoogleOAuth} token endpoint and a
 * {@link FakeVertex} accepting its tokens, for a test class (a static field); both are reset before each test.
 */
public final class FakeVertexExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

  private static final long TIMEOUT_SECONDS = 30;

  private Vertx vertx;
  private FakeGoogleOAuth oauth;
  private FakeVertex server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vertx = Vertx.vertx();
    oauth = FakeGoogleOAuth.start(vertx).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    server = FakeVertex.start(vertx, oauth).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    oauth.reset();
    server.reset();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  public FakeGoogleOAuth oauth() {
    return oauth;
  }

  public FakeVertex server() {
    return server;
  }

  public String baseUrl() {
    return server.baseUrl();
  }

  public FakeVertex enqueue(Reply... replies) {
    return server.enqueue(replies);
  }

  public FakeVertex enqueue(GeminiReply... replies) {
    return server.enqueue(replies);
  }

  public List<RecordedRequest> requests() {
    return server.requests();
  }

  public RecordedRequest lastRequest() {
    return server.lastRequest();
  }

  public int requestCount() {
    return server.requestCount();
  }
}
