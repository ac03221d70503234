package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lifecycle every fake upstream's JUnit 5 extension shares: the fake runs on its own {@link Vertx}; a static
 * field starts one fake per class and resets it before each test, an instance field starts and closes one around
 * each test. Subclasses say how to start their fake and add its typed scripting methods.
 *
 * @param <S> the fake server
 */
public abstract class FakeServerExtension<S extends FakeServer<?>> implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private static final long TIMEOUT_SECONDS = 30;

  private final String name;
  private Vertx vertx;
  private S server;
  private boolean perClass;

  protected FakeServerExtension(String name) {
    this.name = name;
  }

  /** Starts the fake on {@code vertx}. */
  protected abstract Future<S> start(Vertx vertx);

  /** Clears the fake's scripts and recordings between tests. */
  protected void reset(S server) {
    server.reset();
  }

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
      reset(server);
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

  public S server() {
    if (server == null) {
      throw new IllegalStateException("the " + name + " is not running (register the extension with @RegisterExtension)");
    }
    return server;
  }

  public void reset() {
    reset(server());
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

  public int port() {
    return server().port();
  }

  private void startServer() throws Exception {
    vertx = Vertx.vertx();
    server = start(vertx).toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private void stopServer() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
    vertx = null;
    server = null;
  }
}
