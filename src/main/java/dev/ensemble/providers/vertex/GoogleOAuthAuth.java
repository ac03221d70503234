package dev.ensemble.providers.vertex;

import com.google.auth.oauth2.AccessToken;
import dev.ensemble.config.ConfigException;
import dev.ensemble.config.ProviderConfig;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.ModelIds;
import dev.ensemble.providers.auth.UpstreamAuth;
import dev.ensemble.providers.auth.UpstreamAuthException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Vertex AI credentials: OAuth2 access tokens of the Google service account a key holds
 * ({@link ServiceAccount}), sent as {@code Authorization: Bearer}, and the endpoint's project and region filled
 * into the adapter's path ({@link VertexAdapter#PROJECT}, {@link VertexAdapter#REGION}).
 *
 * <p>Tokens are cached per key and shared by all its endpoints and all event loops. A request finds a valid token
 * in the cache and goes at once; a token that expires within {@link #REFRESH_AHEAD_MS} is still used while one
 * background refresh replaces it, so steady traffic never waits for Google. Only a key's first request, or one
 * after the token lapsed unused, waits for the fetch. Fetches (JWT signing and the HTTP exchange at the key's
 * {@code token_uri}, reading a key file) run on a worker thread ({@link Context#executeBlocking}), one at a time
 * per key, never on an event loop; the request continues on its own context. A failed fetch fails the request
 * with an {@link UpstreamAuthException} ({@link TokenFailures}): a refused key is
 * {@code KEY_INVALID}, so the pool disables it and the request moves to another key; an unreachable or failing
 * token endpoint is {@code RETRYABLE}. The next request for the key tries again.
 *
 * <p>Thread-safe without locks: the cache is a concurrent map of slots whose token is a volatile reference; a
 * compare-and-set on the slot's in-flight fetch makes one caller start a fetch and the others join it.
 */
public final class GoogleOAuthAuth implements UpstreamAuth {

  /** A token this close to its expiry is refreshed in the background. */
  public static final long REFRESH_AHEAD_MS = 5 * 60_000;
  /** A token this close to its expiry is no longer sent: the request waits for a fresh one. */
  public static final long MIN_VALIDITY_MS = 30_000;
  /** Assumed lifetime of a token whose response named none (Google's are one hour). */
  private static final long DEFAULT_LIFETIME_MS = 3_600_000;

  private static final Logger LOG = LoggerFactory.getLogger(GoogleOAuthAuth.class);

  private final TokenSource source;
  private final LongSupplier clock;
  private final Map<String, Slot> slots = new ConcurrentHashMap<>();
  private final Map<String, VertexLocation> locations = new ConcurrentHashMap<>();

  public GoogleOAuthAuth(TokenSource source, LongSupplier clock) {
    this.source = source;
    this.clock = clock;
  }

  /**
   * The auth of a {@code type: vertex} provider, its keys and endpoints checked: every non-empty {@code api_key}
   * must be a service-account JSON key (or a file holding one) and every endpoint needs a {@code region} (see
   * {@link VertexLocation}), with a project from it or from the service account.
   *
   * @throws ConfigException naming the offending YAML path
   */
  public static GoogleOAuthAuth forProvider(ProviderConfig provider) {
    GoogleOAuthAuth auth = new GoogleOAuthAuth(TokenSource.google(), System::currentTimeMillis);
    String base = "providers." + provider.name() + ".keys";
    for (int i = 0; i < provider.keys().size(); i++) {
      ProviderConfig.KeyConfig key = provider.keys().get(i);
      ServiceAccount account = null;
      if (!key.apiKey().isEmpty()) {
        try {
          account = ServiceAccount.load(key.apiKey().value());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(base + "[" + i + "].api_key", e.getMessage());
        }
        auth.slots.computeIfAbsent(key.apiKey().value(), k -> new Slot()).account = account;
      }
      for (int j = 0; j < key.endpoints().size(); j++) {
        String path = base + "[" + i + "].endpoints[" + j + "].region";
        VertexLocation location;
        try {
          location = VertexLocation.parse(key.endpoints().get(j).region());
        } catch (IllegalArgumentException e) {
          throw new ConfigException(path, e.getMessage());
        }
        if (account != null && location.project() == null && account.projectId() == null) {
          throw new ConfigException(path, "the service account names no project_id: write the region as "
              + "projects/<project>/locations/" + location.region());
        }
      }
    }
    return auth;
  }

  /** Adds the key's cached token when it has a valid one; requests go through {@link #authorize}, which waits for one. */
  @Override
  public void apply(MultiMap headers, Endpoint endpoint) {
    Slot slot = slots.get(endpoint.apiKey().value());
    Grant grant = slot == null ? null : slot.grant;
    if (grant != null && grant.expiresAt - clock.getAsLong() > MIN_VALIDITY_MS) {
      headers.set("Authorization", "Bearer " + grant.token);
    }
  }

  @Override
  public Future<String> authorize(MultiMap headers, Endpoint endpoint, String path) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return Future.failedFuture(new IllegalStateException("Vertex calls are sent from a Vert.x context"));
    }
    VertexLocation location;
    try {
      location = locations.computeIfAbsent(endpoint.region() == null ? "" : endpoint.region(), VertexLocation::parse);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new IllegalStateException("endpoint " + endpoint.id() + ": region " + e.getMessage()));
    }
    if (endpoint.apiKey().isEmpty()) {
      return Future.failedFuture(new IllegalStateException("endpoint " + endpoint.id() + " has no service-account key"));
    }
    Slot slot = slots.computeIfAbsent(endpoint.apiKey().value(), k -> new Slot());
    Grant grant = slot.grant;
    long left = grant == null ? 0 : grant.expiresAt - clock.getAsLong();
    if (left > MIN_VALIDITY_MS) {
      if (left <= REFRESH_AHEAD_MS) {
        refresh(slot, endpoint.apiKey().value(), context);
      }
      return prepare(headers, endpoint, location, path, grant);
    }
    return onContext(context, refresh(slot, endpoint.apiKey().value(), context))
        .compose(fresh -> prepare(headers, endpoint, location, path, fresh));
  }

  /** How many tokens were fetched so far, over all keys. */
  public long fetches() {
    return slots.values().stream().mapToLong(s -> s.fetches).sum();
  }

  private Future<String> prepare(MultiMap headers, Endpoint endpoint, VertexLocation location, String path, Grant grant) {
    String project = location.project() != null ? location.project() : grant.account.projectId();
    if (project == null) {
      return Future.failedFuture(new IllegalStateException("endpoint " + endpoint.id()
          + ": the service account names no project_id and the region names no project"));
    }
    headers.set("Authorization", "Bearer " + grant.token);
    String base = endpoint.baseUrl().isEmpty() ? location.defaultBaseUrl() : endpoint.baseUrl();
    return Future.succeededFuture(base + path.replace(VertexAdapter.PROJECT, ModelIds.pathSegment(project))
        .replace(VertexAdapter.REGION, ModelIds.pathSegment(location.region())));
  }

  /** The slot's in-flight fetch, started on a worker thread of {@code context} if none is running. */
  private Future<Grant> refresh(Slot slot, String apiKey, Context context) {
    while (true) {
      Future<Grant> running = slot.inFlight.get();
      if (running != null) {
        return running;
      }
      Promise<Grant> fetch = Promise.promise();
      if (slot.inFlight.compareAndSet(null, fetch.future())) {
        context.executeBlocking(() -> fetch(slot, apiKey), false).onComplete(ar -> {
          slot.inFlight.set(null);
          if (ar.failed()) {
            UpstreamAuthException failure = TokenFailures.classify(ar.cause());
            LOG.warn("Could not obtain a Google access token ({} {}): {}", failure.errorClass(), failure.type(), ar.cause().getMessage());
            fetch.fail(failure);
          } else {
            fetch.complete(ar.result());
          }
        });
        return fetch.future();
      }
    }
  }

  private Grant fetch(Slot slot, String apiKey) throws Exception {
    ServiceAccount account = slot.account;
    if (account == null) {
      account = ServiceAccount.load(apiKey);
      slot.account = account;
    }
    AccessToken token = source.fetch(account);
    // google-auth dates the expiry on the system clock; the lifetime it implies is counted on ours.
    long lifetime = token.getExpirationTime() != null ? token.getExpirationTime().getTime() - System.currentTimeMillis() : DEFAULT_LIFETIME_MS;
    Grant grant = new Grant(account, token.getTokenValue(), clock.getAsLong() + lifetime);
    slot.fetches++;
    slot.grant = grant;
    return grant;
  }

  /** {@code future}'s outcome delivered on {@code context}, whichever context completes it. */
  private static <T> Future<T> onContext(Context context, Future<T> future) {
    Promise<T> promise = Promise.promise();
    future.onComplete(ar -> context.runOnContext(v -> promise.handle(ar)));
    return promise.future();
  }

  private record Grant(ServiceAccount account, String token, long expiresAt) {}

  /** One key's cache entry. */
  private static final class Slot {
    volatile ServiceAccount account;
    volatile Grant grant;
    volatile long fetches;
    final AtomicReference<Future<Grant>> inFlight = new AtomicReference<>();
  }
}
