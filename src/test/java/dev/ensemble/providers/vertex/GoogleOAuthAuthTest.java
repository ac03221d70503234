package dev.ensemble.providers.vertex;

import dev.ensemble.config.ConfigException;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.config.Secret;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.testing.fake.FakeGoogleOAuth;
import dev.ensemble.testing.fake.ServiceAccountKey;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GoogleOAuthAuthTest {

  private static final String PATH = VertexAdapter.path("claude-sonnet-4-5@20250929", false);
  private static final long MINUTE = 60_000;

  private static Vertx vertx;
  private static FakeGoogleOAuth oauth;
  private static ServiceAccountKey account;

  private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
  private final List<String> fetchThreads = new CopyOnWriteArrayList<>();
  private final List<Boolean> fetchedOnWorker = new CopyOnWriteArrayList<>();
  private volatile CountDownLatch fetched = new CountDownLatch(1);
  private GoogleOAuthAuth auth;

  @BeforeAll
  static void startFake() throws Exception {
    vertx = Vertx.vertx();
    oauth = FakeGoogleOAuth.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    account = oauth.newAccount("gateway", "proj-main");
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() {
    oauth.reset();
    auth = new GoogleOAuthAuth(acc -> {
      fetchThreads.add(Thread.currentThread().getName());
      fetchedOnWorker.add(Context.isOnWorkerThread() && !Context.isOnEventLoopThread());
      try {
        return TokenSource.google().fetch(acc);
      } finally {
        fetched.countDown();
      }
    }, now::get);
  }

  @Test
  void manyRequestsFromSeveralEventLoopsShareOneTokenFetchedOnAWorkerThread() throws Exception {
    List<Future<Call>> calls = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      calls.add(authorize(vertx.getOrCreateContext(), endpoint("us-east5", "")));
    }
    List<Call> done = await(Future.all(calls)).list();

    assertEquals(1, oauth.calls());
    assertEquals(List.of(true), fetchedOnWorker, "fetched on " + fetchThreads);
    for (Call call : done) {
      assertTrue(call.onCallersContext(), "continues on the caller's context");
      assertEquals("https://us-east5-aiplatform.googleapis.com/v1/projects/proj-main/locations/us-east5/publishers/anthropic/models/"
          + "claude-sonnet-4-5@20250929:rawPredict", call.url());
      assertEquals(done.get(0).authorization(), call.authorization());
    }
    String token = done.get(0).authorization().substring("Bearer ".length());
    assertTrue(oauth.isValid(token));
    assertEquals(ServiceAccount.SCOPE, oauth.scopeOf(token));
  }

  @Test
  void aTokenCloseToExpiryIsStillUsedWhileOneBackgroundFetchReplacesIt() throws Exception {
    String first = await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", ""))).authorization();
    fetched = new CountDownLatch(1);
    now.addAndGet(56 * MINUTE);

    Call during = await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", "")));
    assertEquals(first, during.authorization(), "the old token still serves");
    assertTrue(fetched.await(10, TimeUnit.SECONDS), "a refresh started");
    String after = awaitNewToken(first);

    assertNotEquals(first, after);
    assertEquals(2, oauth.calls());
    assertEquals(List.of(true, true), fetchedOnWorker);
  }

  @Test
  void anExpiredTokenIsReplacedBeforeTheCallGoes() throws Exception {
    String first = await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", ""))).authorization();
    now.addAndGet(61 * MINUTE);

    String second = await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", ""))).authorization();

    assertNotEquals(first, second);
    assertEquals(2, oauth.calls());
  }

  @Test
  void aShortLivedTokenIsRefreshedAheadOfExpiry() throws Exception {
    oauth.expiresIn(120);
    String first = await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", ""))).authorization();
    fetched = new CountDownLatch(1);

    await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", "")));

    assertTrue(fetched.await(10, TimeUnit.SECONDS));
    String second = awaitNewToken(first);
    assertNotEquals(first, second);

    // leave no refresh in flight for the next test: swap the short-lived token for a long-lived one
    oauth.expiresIn(3600);
    fetched = new CountDownLatch(1);
    await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", "")));
    assertTrue(fetched.await(10, TimeUnit.SECONDS));
    awaitNewToken(second);
  }

  @Test
  void theRegionMayNameAnotherProjectAndTheEndpointAnotherBaseUrl() throws Exception {
    Call global = await(authorize(vertx.getOrCreateContext(), endpoint("global", "")));
    Call other = await(authorize(vertx.getOrCreateContext(), endpoint("projects/billing-proj/locations/europe-west1", "http://127.0.0.1:9")));

    assertEquals("https://aiplatform.googleapis.com/v1/projects/proj-main/locations/global/publishers/anthropic/models/"
        + "claude-sonnet-4-5@20250929:rawPredict", global.url());
    assertEquals("http://127.0.0.1:9/v1/projects/billing-proj/locations/europe-west1/publishers/anthropic/models/"
        + "claude-sonnet-4-5@20250929:rawPredict", other.url());
    assertEquals(1, oauth.calls(), "one token per key, whatever the endpoint");
  }

  @Test
  void aRefusedGrantFailsTheCallAndTheNextCallTriesAgain() throws Exception {
    oauth.refuseGrants("Invalid JWT Signature.");

    ExecutionException failed = assertThrows(ExecutionException.class, () -> await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", ""))));
    assertTrue(failed.getCause().getMessage().contains("invalid_grant"), failed.getCause().getMessage());
    oauth.reset();

    assertTrue(await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", ""))).authorization().startsWith("Bearer ya29.fake-"));
    assertEquals(1, oauth.calls());
  }

  @Test
  void aKeyMayBeThePathOfTheJsonFile() throws Exception {
    Path file = Files.createTempFile("sa-", ".json");
    Files.writeString(file, account.json());

    Call call = await(authorize(vertx.getOrCreateContext(), new Endpoint("v-1", "v", "k", new Secret(file.toString()), 1, null, null, "", "us-east5")));

    assertTrue(call.authorization().startsWith("Bearer ya29.fake-"));
    assertFalse(fetchedOnWorker.contains(false));
  }

  @Test
  void configWithABrokenKeyOrAMissingRegionFailsAtStartWithItsPath() {
    ConfigException notJson = assertThrows(ConfigException.class, () -> GoogleOAuthAuth.forProvider(provider("'{\"type\":\"service_account\"}'", "us-east5")));
    ConfigException noFile = assertThrows(ConfigException.class, () -> GoogleOAuthAuth.forProvider(provider("/no/such/key.json", "us-east5")));
    ConfigException noRegion = assertThrows(ConfigException.class, () -> GoogleOAuthAuth.forProvider(provider("'" + account.json() + "'", "''")));
    ConfigException badRegion = assertThrows(ConfigException.class, () -> GoogleOAuthAuth.forProvider(provider("'" + account.json() + "'", "'US East'")));

    assertEquals("providers.v.keys[0].api_key", notJson.path());
    assertEquals("providers.v.keys[0].api_key", noFile.path());
    assertEquals("providers.v.keys[0].endpoints[0].region", noRegion.path());
    assertEquals("providers.v.keys[0].endpoints[0].region", badRegion.path());
    assertFalse(notJson.getMessage().contains("service_account\"}"), "never echoes the key");
  }

  @Test
  void aServiceAccountWithoutProjectNeedsTheProjectInTheRegion() {
    ServiceAccountKey projectless = oauth.newAccount("nobody", null);

    ConfigException e = assertThrows(ConfigException.class, () -> GoogleOAuthAuth.forProvider(provider("'" + projectless.json() + "'", "us-east5")));

    assertEquals("providers.v.keys[0].endpoints[0].region", e.path());
    GoogleOAuthAuth.forProvider(provider("'" + projectless.json() + "'", "projects/p-1/locations/us-east5"));
    GoogleOAuthAuth.forProvider(provider("''", "us-east5"));
  }

  // --- helpers ---------------------------------------------------------------------------------------------

  private record Call(String url, String authorization, boolean onCallersContext) {}

  private Future<Call> authorize(Context context, Endpoint endpoint) {
    Promise<Call> result = Promise.promise();
    context.runOnContext(v -> {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap();
      auth.authorize(headers, endpoint, PATH).onComplete(ar -> {
        if (ar.failed()) {
          result.fail(ar.cause());
        } else {
          result.complete(new Call(ar.result(), headers.get("Authorization"), Vertx.currentContext() == context));
        }
      });
    });
    return result.future();
  }

  /** Authorizes until the background refresh has landed (it completes just after the fetch returns). */
  private String awaitNewToken(String old) throws Exception {
    for (int i = 0; i < 1000; i++) {
      String token = await(authorize(vertx.getOrCreateContext(), endpoint("us-east5", ""))).authorization();
      if (!token.equals(old)) {
        return token;
      }
    }
    return old;
  }

  private static Endpoint endpoint(String region, String baseUrl) {
    return new Endpoint("v-1", "v", "k", new Secret(account.json()), 1, null, null, baseUrl, region);
  }

  private static ProviderConfig provider(String apiKeyYaml, String regionYaml) {
    String yaml = """
        providers:
          v:
            type: vertex
            keys:
              - { name: k, api_key: %s, endpoints: [ { id: v-1, region: %s } ] }
        models:
          m: { providers: [ { provider: v, model: claude-sonnet-4-5@20250929 } ] }
        """.formatted(apiKeyYaml, regionYaml);
    return new ConfigLoader(Map.of()).parse(yaml).providers().get("v");
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

}
