package dev.ensemble.testing.fake;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning a {@link FakeBedrock} on its own {@link Vertx} for a test class (register it in a
 * static field); the fake is {@link FakeBedrock#reset() reset} before each test.
 */
public final class FakeBedrockExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

  private static final long TIMEOUT_SECONDS = 30;

  private Vertx vertx;
  private FakeBedrock server;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vertx = Vertx.vertx();
    server = FakeBedrock.start(vertx).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    server().reset();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    vertx = null;
    server = null;
  }

  public FakeBedrock server() {
    if (server == null) {
      throw new IllegalStateException("the fake Bedrock is not running (register the extension with @RegisterExtension)");
    }
    return server;
  }

  public FakeBedrock enqueue(Reply... replies) {
    return server().enqueue(replies);
  }

  public List<RecordedRequest> requests() {
    return server().requests();
  }

  public RecordedRequest lastRequest() {
    return server().lastRequest();
  }

  public String baseUrl() {
    return server().baseUrl();
  }
}
