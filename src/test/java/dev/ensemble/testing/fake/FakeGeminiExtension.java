package dev.ensemble.testing.fake;

import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning a {@link FakeGemini} on its own {@link Vertx}: a static field starts one fake per
 * class and resets it before each test; an instance field starts and closes one around each test.
 */
public final class FakeGeminiExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final long TIMEOUT_SECONDS = 30;

  private Vertx vertx;
  private FakeGemini server;
  private boolean perClass;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    perClass = true;
    startServer();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (server == null) {
      startServer();
    } else {
      server.reset();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      stopServer();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    stopServer();
  }

  public FakeGemini server() {
    if (server == null) {
      throw new IllegalStateException("the fake Gemini is not running (register the extension with @RegisterExtension)");
    }
    return server;
  }

  public FakeGemini enqueue(Reply... replies) {
    return server().enqueue(replies);
  }

  public FakeGemini enqueue(GeminiReply... replies) {
    return server().enqueue(replies);
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

  private void startServer() throws Exception {
    vertx = Vertx.vertx();
    server = FakeGemini.start(vertx).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private void stopServer() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    vertx = null;
    server = null;
  }
}
