package dev.ensemble.ingress;

import dev.ensemble.clients.Client;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.config.Secret;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ClientDialects;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Identifies the caller of {@code /v1/*}, {@code /v1beta/*} and {@code /api/v1/responses/*} by its gateway key,
 * presented the way the path's client format sends it ({@link ClientDialect#presentedKey}):
 * {@code Authorization: Bearer <key>}; on {@code /v1/messages} (and on {@code /v1/models} when {@code anthropic-version} is
 * sent, as Anthropic's SDKs do) also {@code x-api-key} (which wins); on Gemini's
 * {@code /v1beta/models/...} {@code x-goog-api-key} or {@code ?key=}; on the WebSocket upgrade {@code /v1/ws} also
 * {@code ?key=<key>} (the header wins). A client's key makes the request that client's (its budget,
 * {@code rpm_limit} and usage rows). With {@code server.require_client_keys: true} a missing key, or one that is no
 * client's, is a 401 in the route's client format. Without it, both are anonymous requests: every official SDK
 * sends some key (the OpenAI SDKs refuse to start without one), so {@code api_key="unused"} must work against a
 * node that does not require keys. On the response routes ({@code /api/v1/responses/*}, {@code /v1/responses/*})
 * the admin key is also accepted. Keys are never logged, echoed or forwarded.
 */
final class ClientAuth implements Handler<RoutingContext> {

  private static final String WS = "/v1/ws";

  private final ClientRegistry registry;
  private final boolean requireKeys;
  private final byte[] adminKey;
  private final ClientDialects dialects;

  ClientAuth(ClientRegistry registry, boolean requireKeys, Secret adminKey, ClientDialects dialects) {
    this.registry = registry;
    this.requireKeys = requireKeys;
    this.adminKey = adminKey.value().getBytes(StandardCharsets.UTF_8);
    this.dialects = dialects;
  }

  @Override
  public void handle(RoutingContext ctx) {
    handle(ctx, RoutingContext::next);
  }

  /** Identifies the caller, then hands the request to {@code then}; a refusal is answered here. */
  void handle(RoutingContext ctx, Handler<RoutingContext> then) {
    ClientDialect dialect = dialects.forRequest(ctx.request().path(), ctx.request().headers());
    String key = presentedKey(ctx, dialect);
    if (key == null) {
      if (requireKeys) {
        deny(ctx, dialect, "A gateway key is required: send " + dialect.keyHint() + (isWebSocketRoute(ctx) ? " or ?key=<key>" : ""));
        return;
      }
      admit(ctx, Caller.ANONYMOUS, then);
      return;
    }
    if (adminKey.length > 0 && isResponseRoute(ctx.request().path())
        && MessageDigest.isEqual(adminKey, key.getBytes(StandardCharsets.UTF_8))) {
      admit(ctx, Caller.ADMIN, then);
      return;
    }
    Client client = registry.authenticate(key);
    if (client != null) {
      admit(ctx, new Caller(new ClientAccount(client, registry), false), then);
    } else if (requireKeys) {
      deny(ctx, dialect, "The gateway key is not valid");
    } else {
      admit(ctx, Caller.ANONYMOUS, then);
    }
  }

  private static void admit(RoutingContext ctx, Caller caller, Handler<RoutingContext> then) {
    caller.attachTo(ctx);
    then.handle(ctx);
  }

  /** Where a stored response is read or deleted: there the admin key stands for any client. */
  private static boolean isResponseRoute(String path) {
    return path.startsWith("/api/v1/responses/") || path.startsWith("/v1/responses/");
  }

  private static String presentedKey(RoutingContext ctx, ClientDialect dialect) {
    String key = dialect.presentedKey(ctx.request().headers(), ctx.queryParams());
    return key == null && isWebSocketRoute(ctx) ? queryKey(ctx) : key;
  }

  /** Browsers cannot set headers on a WebSocket upgrade: {@code /v1/ws?key=<key>} carries the key instead. */
  private static String queryKey(RoutingContext ctx) {
    String key = ctx.request().getParam("key");
    return key == null || key.isBlank() ? null : key.trim();
  }

  private static boolean isWebSocketRoute(RoutingContext ctx) {
    return ctx.request().path().equals(WS);
  }

  private static void deny(RoutingContext ctx, ClientDialect dialect, String message) {
    ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.AUTHENTICATION, 401, message, false, null, null));
  }
}
