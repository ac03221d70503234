package dev.ensemble.admin;

import dev.ensemble.config.Secret;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the admin API: {@code Authorization: Bearer <server.admin_key>}, compared in constant time. With no
 * admin key configured the admin API is off (403), so a node never exposes it by accident.
 */
public final class AdminAuth implements Handler<RoutingContext> {

  private final byte[] key;

  public AdminAuth(Secret adminKey) {
    this.key = adminKey.value().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (key.length == 0) {
      deny(ctx, 403, "permission_error", "The admin API is disabled: set server.admin_key (ENSEMBLE_ADMIN_KEY) to enable it");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
    if (!MessageDigest.isEqual(key, token.getBytes(StandardCharsets.UTF_8))) {
      deny(ctx, 401, "authentication_error", "A valid admin key is required: Authorization: Bearer <admin key>");
      return;
    }
    ctx.next();
  }

  private static void deny(RoutingContext ctx, int status, String type, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)).toBuffer());
  }
}
