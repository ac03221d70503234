package dev.ensemble.ingress;

import dev.ensemble.clients.Client;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.config.Secret;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Function;

/**
 * Identifies the caller of {@code /v1/*} and {@code /api/v1/responses/*} by its gateway key:
 * {@code Authorization: Bearer <key>}, or on {@code /v1/messages} also {@code x-api-key} (which wins when both
 * are sent), or on the WebSocket upgrade {@code /v1/ws} also {@code ?key=<key>} (the header wins). A client's key
 * makes the request that client's (its budget, {@code rpm_limit} and usage rows). With
 * {@code server.require_client_keys: true} a missing key, or one that is no client's, is a 401 in the route's client
 * format. Without it, both are anonymous requests: every official SDK sends some key (the OpenAI SDKs refuse to start
 * without one), so {@code api_key="unused"} must work against a node that does not require keys. On the response
 * routes the admin key is also accepted. Keys are never logged, echoed or forwarded.
 */
final class ClientAuth implements Handler<RoutingContext> {

  private static final String RESPONSES = "/api/v1/responses/";
  private static final String WS = "/v1/ws";

  private final ClientRegistry registry;
  private final boolean requireKeys;
  private final byte[] adminKey;
  private final Function<RoutingContext, ClientDialect> dialectOf;

  ClientAuth(ClientRegistry registry, boolean requireKeys, Secret adminKey, Function<RoutingContext, ClientDialect> dialectOf) {
    this.registry = registry;
    this.requireKeys = requireKeys;
    this.adminKey = adminKey.value().getBytes(StandardCharsets.UTF_8);
    this.dialectOf = dialectOf;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String key = presentedKey(ctx);
    if (key == null) {
      if (requireKeys) {
        deny(ctx, "A gateway key is required: send Authorization: Bearer <key>" + (isAnthropicRoute(ctx) ? " or x-api-key: <key>"
            : isWebSocketRoute(ctx) ? " or ?key=<key>" : ""));
        return;
      }
      admit(ctx, Caller.ANONYMOUS);
      return;
    }
    if (adminKey.length > 0 && ctx.request().path().startsWith(RESPONSES)
        && MessageDigest.isEqual(adminKey, key.getBytes(StandardCharsets.UTF_8))) {
      admit(ctx, Caller.ADMIN);
      return;
    }
    Client client = registry.authenticate(key);
    if (client != null) {
      admit(ctx, new Caller(new ClientAccount(client, registry), false));
    } else if (requireKeys) {
      deny(ctx, "The gateway key is not valid");
    } else {
      admit(ctx, Caller.ANONYMOUS);
    }
  }

  private static void admit(RoutingContext ctx, Caller caller) {
    caller.attachTo(ctx);
    ctx.next();
  }

  private static String presentedKey(RoutingContext ctx) {
    if (isAnthropicRoute(ctx)) {
      String apiKey = ctx.request().getHeader("x-api-key");
      if (apiKey != null && !apiKey.isBlank()) {
        return apiKey.trim();
      }
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return isWebSocketRoute(ctx) ? queryKey(ctx) : null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /** Browsers cannot set headers on a WebSocket upgrade: {@code /v1/ws?key=<key>} carries the key instead. */
  private static String queryKey(RoutingContext ctx) {
    String key = ctx.request().getParam("key");
    return key == null || key.isBlank() ? null : key.trim();
  }

  private static boolean isWebSocketRoute(RoutingContext ctx) {
    return ctx.request().path().equals(WS);
  }

  private static boolean isAnthropicRoute(RoutingContext ctx) {
    return ctx.request().path().startsWith("/v1/messages");
  }

  private void deny(RoutingContext ctx, String message) {
    ErrorResponder.send(ctx.response(), dialectOf.apply(ctx), new GatewayError(ErrorType.AUTHENTICATION, 401, message, false, null, null));
  }
}
