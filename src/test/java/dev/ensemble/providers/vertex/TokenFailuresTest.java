package dev.ensemble.providers.vertex;

import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.ensemble.config.Secret;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.auth.UpstreamAuthException;
import dev.ensemble.testing.fake.FakeGoogleOAuth;
import dev.ensemble.testing.fake.ServiceAccountKey;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * How a failed token fetch is classified, from what google-auth really throws against a fake token endpoint
 * (its own retries of 5xx switched off, so the test does not wait for its back-off).
 */
class TokenFailuresTest {

  private static Vertx vertx;
  private static FakeGoogleOAuth oauth;
  private static ServiceAccountKey account;

  @BeforeAll
  static void startFake() throws Exception {
    vertx = Vertx.vertx();
    oauth = await(FakeGoogleOAuth.start(vertx));
    account = oauth.newAccount("gateway", "proj-main");
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  @BeforeEach
  void reset() {
    oauth.reset();
  }

  @Test
  void aRefusedGrantIsAnInvalidKey() {
    oauth.refuseGrantsOf(account.clientEmail(), "Invalid grant: account not found");

    UpstreamAuthException failure = TokenFailures.classify(fetchFailure(account.json()));

    assertEquals(ErrorClass.KEY_INVALID, failure.errorClass());
    assertEquals("invalid_grant", failure.type());
    assertEquals("Google's token endpoint refused the service-account key (invalid_grant)", failure.getMessage());
    assertFalse(failure.getMessage().contains("account not found"), "Google's description stays in the log");
  }

  @Test
  void aKeyGoogleDoesNotKnowIsAnInvalidKey() {
    ServiceAccountKey deleted = ServiceAccountKey.generate("deleted", "proj-main", oauth.tokenUri());

    assertEquals(ErrorClass.KEY_INVALID, TokenFailures.classify(fetchFailure(deleted.json())).errorClass());
  }

  @Test
  void aServerErrorOfTheTokenEndpointIsRetryable() {
    oauth.failWith(500);

    UpstreamAuthException failure = TokenFailures.classify(fetchFailure(account.json()));

    assertEquals(ErrorClass.RETRYABLE, failure.errorClass());
    assertEquals("token_500", failure.type());
  }

  @Test
  void anUnreachableTokenEndpointIsRetryable() throws Exception {
    HttpServer closed = await(vertx.createHttpServer().requestHandler(r -> r.response().end()).listen(0, "127.0.0.1"));
    int port = closed.actualPort();
    await(closed.close());
    ServiceAccountKey nowhere = ServiceAccountKey.generate("nowhere", "proj-main", "http://127.0.0.1:" + port + "/token");

    UpstreamAuthException failure = TokenFailures.classify(fetchFailure(nowhere.json()));

    assertEquals(ErrorClass.RETRYABLE, failure.errorClass());
    assertEquals("token_unreachable", failure.type());
  }

  @Test
  void aKeyThatIsNoServiceAccountKeyIsAnInvalidKey() {
    IllegalArgumentException unusable = assertThrows(IllegalArgumentException.class,
        () -> ServiceAccount.load("{\"type\":\"authorized_user\",\"client_id\":\"x\",\"client_secret\":\"y\",\"refresh_token\":\"z\"}"));

    UpstreamAuthException failure = TokenFailures.classify(unusable);

    assertEquals(ErrorClass.KEY_INVALID, failure.errorClass());
    assertEquals("invalid_key", failure.type());
  }

  @Test
  void authorizeFailsWithTheClassifiedFailure() throws Exception {
    oauth.refuseGrantsOf(account.clientEmail(), "Invalid JWT Signature.");
    GoogleOAuthAuth auth = new GoogleOAuthAuth(TokenSource.google(), System::currentTimeMillis);

    Throwable refused = authorizeFailure(auth, account.json());
    Throwable notAKey = authorizeFailure(auth, "{\"type\":\"service_account\"}");

    assertEquals(ErrorClass.KEY_INVALID, assertInstanceOf(UpstreamAuthException.class, refused).errorClass());
    assertEquals(ErrorClass.KEY_INVALID, assertInstanceOf(UpstreamAuthException.class, notAKey).errorClass());
    assertEquals(0, auth.fetches());
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  /** What google-auth throws fetching a token for {@code json}, with its retries off. */
  private static IOException fetchFailure(String json) {
    ServiceAccountCredentials credentials = (ServiceAccountCredentials) ServiceAccount.load(json).credentials();
    ServiceAccountCredentials noRetries = credentials.toBuilder().setDefaultRetriesEnabled(false).build();
    return assertThrows(IOException.class, noRetries::refreshAccessToken);
  }

  private static Throwable authorizeFailure(GoogleOAuthAuth auth, String json) {
    Endpoint endpoint = new Endpoint("v-1", "v", "k", new Secret(json), 1, null, null, "", "us-east5");
    Promise<String> result = Promise.promise();
    vertx.runOnContext(v -> auth.authorize(MultiMap.caseInsensitiveMultiMap(), endpoint, "/x").onComplete(result));
    return assertThrows(ExecutionException.class, () -> await(result.future())).getCause();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }
}
