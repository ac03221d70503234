package dev.ensemble.testing.fake;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fake Google OAuth 2.0 token endpoint ({@code POST /token}) on {@code 127.0.0.1}, port 0, for service accounts:
 * the JWT-bearer grant ({@code grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer}, {@code assertion=<JWT>}).
 * The assertion must be an RS256 JWT signed by a {@link #register registered} account's key, with {@code iss} its
 * email, {@code aud} Google's token URL or this endpoint's, a {@code scope} and {@code iat}/{@code exp}; a bad one gets Google's
 * {@code 400 {"error":"invalid_grant",...}}. An accepted one gets
 * {@code {"access_token":"ya29.fake-<n>","expires_in":<s>,"token_type":"Bearer"}}; issued tokens are remembered
 * with their expiry so a fake API can check them ({@link #isValid}). Counts calls.
 */
public final class FakeGoogleOAuth {

  public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
  /** The audience google-auth names in its assertions whatever the {@code token_uri} (Google's own token URL). */
  public static final String GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

  private final Map<String, RSAPublicKey> accounts = new ConcurrentHashMap<>();
  private final Map<String, Long> issued = new ConcurrentHashMap<>();
  private final Map<String, String> scopes = new ConcurrentHashMap<>();
  private final Map<String, String> owners = new ConcurrentHashMap<>();
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong expiresInSeconds = new AtomicLong(3600);
  private final AtomicReference<String> failure = new AtomicReference<>();
  private final Map<String, String> refusedAccounts = new ConcurrentHashMap<>();
  private final AtomicInteger failureStatus = new AtomicInteger();
  private HttpServer server;

  private FakeGoogleOAuth() {
  }

  public static Future<FakeGoogleOAuth> start(Vertx vertx) {
    FakeGoogleOAuth fake = new FakeGoogleOAuth();
    return FakeServer.listen(vertx, FakeServer.loopback(), fake::handle).map(server -> {
      fake.server = server;
      return fake;
    });
  }

  public Future<Void> close() {
    return server.close();
  }

  /** {@code http://127.0.0.1:<port>/token}: the {@code token_uri} for service-account keys. */
  public String tokenUri() {
    return "http://127.0.0.1:" + server.actualPort() + "/token";
  }

  /** Accepts assertions signed by {@code key} from now on. */
  public FakeGoogleOAuth register(ServiceAccountKey key) {
    accounts.put(key.clientEmail(), key.publicKey());
    return this;
  }

  /** A new key for {@code name} in {@code projectId}, registered. */
  public ServiceAccountKey newAccount(String name, String projectId) {
    ServiceAccountKey key = ServiceAccountKey.generate(name, projectId, tokenUri());
    register(key);
    return key;
  }

  /** The {@code expires_in} of tokens issued from now on (default 3600). */
  public FakeGoogleOAuth expiresIn(long seconds) {
    expiresInSeconds.set(seconds);
    return this;
  }

  /** Every grant is refused with {@code 400 invalid_grant} until {@link #reset}. */
  public FakeGoogleOAuth refuseGrants(String description) {
    failure.set(description);
    return this;
  }

  /**
   * The grants of {@code clientEmail} are refused with {@code 400 invalid_grant} and {@code description} until
   * {@link #reset}, as Google answers for a deleted or disabled key or account; other accounts are unaffected.
   */
  public FakeGoogleOAuth refuseGrantsOf(String clientEmail, String description) {
    refusedAccounts.put(clientEmail, description);
    return this;
  }

  /** Every token request is answered {@code status} (e.g. 500) with an OAuth error body until {@link #reset}. */
  public FakeGoogleOAuth failWith(int status) {
    failureStatus.set(status);
    return this;
  }

  /** Token requests received (granted or not). */
  public int calls() {
    return calls.get();
  }

  /** Whether {@code token} was issued here, has not expired and its account is not {@link #revoke revoked}. */
  public boolean isValid(String token) {
    Long expiresAt = issued.get(token);
    return expiresAt != null && expiresAt > System.currentTimeMillis() && !revoked.contains(owners.get(token));
  }

  /**
   * The tokens of {@code clientEmail}, issued and to come, are no longer valid at the API (as when the account
   * loses its role); the token endpoint still grants them.
   */
  public FakeGoogleOAuth revoke(String clientEmail) {
    revoked.add(clientEmail);
    return this;
  }

  /** The account ({@code client_email}) {@code token} was issued to, or null. */
  public String ownerOf(String token) {
    return owners.get(token);
  }

  /** The scope the assertion of {@code token} asked for. */
  public String scopeOf(String token) {
    return scopes.get(token);
  }

  /**
   * Forgets revocations, calls, failures, refused accounts and the expiry; keeps registered accounts and the tokens issued, which
   * stay valid until they expire (as Google's do), so a client's cached token survives a reset between tests.
   */
  public void reset() {
    revoked.clear();
    calls.set(0);
    expiresInSeconds.set(3600);
    failure.set(null);
    refusedAccounts.clear();
    failureStatus.set(0);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      calls.incrementAndGet();
      if (request.method() != HttpMethod.POST || !"/token".equals(request.path())) {
        reply(request, 404, new JsonObject().put("error", "not_found"));
        return;
      }
      Map<String, String> form = form(body);
      if (!GRANT_TYPE.equals(form.get("grant_type"))) {
        reply(request, 400, new JsonObject().put("error", "unsupported_grant_type")
            .put("error_description", "Invalid grant_type: " + form.get("grant_type")));
        return;
      }
      if (failureStatus.get() != 0) {
        reply(request, failureStatus.get(), new JsonObject().put("error", "internal_failure").put("error_description", "Backend Error"));
        return;
      }
      String problem = failure.get() != null ? failure.get() : checkAssertion(form.get("assertion"));
      if (problem == null) {
        problem = refusedAccounts.get(claims(form.get("assertion")).getString("iss", ""));
      }
      if (problem != null) {
        reply(request, 400, new JsonObject().put("error", "invalid_grant").put("error_description", problem));
        return;
      }
      String token = "ya29.fake-" + sequence.incrementAndGet();
      long expiresIn = expiresInSeconds.get();
      issued.put(token, System.currentTimeMillis() + expiresIn * 1000);
      JsonObject claims = claims(form.get("assertion"));
      scopes.put(token, claims.getString("scope", ""));
      owners.put(token, claims.getString("iss", ""));
      reply(request, 200, new JsonObject().put("access_token", token).put("expires_in", expiresIn).put("token_type", "Bearer"));
    });
  }

  private String checkAssertion(String assertion) {
    if (assertion == null) {
      return "Missing required parameter: assertion";
    }
    String[] parts = assertion.split("\\.");
    if (parts.length != 3) {
      return "Invalid JWT: not three segments";
    }
    JsonObject header;
    JsonObject claims;
    try {
      header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
      claims = claims(assertion);
    } catch (RuntimeException e) {
      return "Invalid JWT: unreadable segments";
    }
    if (!"RS256".equals(header.getString("alg"))) {
      return "Invalid JWT: alg must be RS256";
    }
    RSAPublicKey key = accounts.get(claims.getString("iss", ""));
    if (key == null) {
      return "Invalid JWT Signature.";
    }
    try {
      Signature verifier = Signature.getInstance("SHA256withRSA");
      verifier.initVerify(key);
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!verifier.verify(Base64.getUrlDecoder().decode(parts[2]))) {
        return "Invalid JWT Signature.";
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return "Invalid JWT Signature.";
    }
    if (!tokenUri().equals(claims.getString("aud")) && !GOOGLE_TOKEN_URI.equals(claims.getString("aud"))) {
      return "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe (aud " + claims.getString("aud") + ")";
    }
    if (claims.getString("scope", "").isEmpty()) {
      return "Invalid JWT: no scope";
    }
    Long iat = claims.getLong("iat");
    Long exp = claims.getLong("exp");
    if (iat == null || exp == null || exp <= iat || exp - iat > 3600) {
      return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
    }
    return null;
  }

  private static JsonObject claims(String assertion) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(assertion.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static Map<String, String> form(Buffer body) {
    Map<String, String> out = new ConcurrentHashMap<>();
    for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void reply(HttpServerRequest request, int status, JsonObject body) {
    MultiMap headers = request.response().headers();
    headers.set("content-type", "application/json; charset=utf-8");
    request.response().setStatusCode(status).end(body.encode());
  }
}
