package dev.ensemble.admin;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.RequestJson;
import io.vertx.core.AsyncResult;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /admin/keys} (201 with the key masked), {@code GET /admin/keys} (config and admin keys, masked,
 * with their {@code source} and {@code disabled}), {@code DELETE /admin/keys/{id}} (204; 404 unknown, 409 a config-file
 * key) and {@code POST /admin/keys/{id}/disable|enable} (200; any key, config or admin, for the whole fleet):
 * forwarded to the {@link dev.ensemble.keys.KeysVerticle}, which owns the keys. Errors are OpenAI-style JSON
 * naming the field at fault; a node without {@code storage.encryption_key} refuses to add keys (503).
 */
public final class KeysHandler {

  private static final long ASK_TIMEOUT_MS = 30_000;

  public void add(RoutingContext ctx) {
    JsonObject body;
    try {
      body = RequestJson.object(ctx.body().buffer(), "request body");
    } catch (GatewayError e) {
      reply(ctx, 400, error(e.getMessage() + "; send a JSON object {provider, name, api_key, weight?, endpoints: [...]}", "invalid_request_error"));
      return;
    }
    ctx.vertx().eventBus().<JsonObject>request(Addresses.KEYS_ADD, body, options()).onComplete(ar -> answer(ctx, ar, 201));
  }

  /** {@code POST /admin/keys/{id}/disable} or {@code /enable}: for every node of the fleet, before the answer. */
  public void state(RoutingContext ctx, boolean disabled) {
    JsonObject body = new JsonObject().put("id", ctx.pathParam("id")).put("disabled", disabled);
    ctx.vertx().eventBus().<JsonObject>request(Addresses.KEYS_STATE, body, options()).onComplete(ar -> answer(ctx, ar, 200));
  }

  public void list(RoutingContext ctx) {
    ctx.vertx().eventBus().<JsonObject>request(Addresses.KEYS_LIST, null, options()).onComplete(ar -> answer(ctx, ar, 200));
  }

  public void delete(RoutingContext ctx) {
    ctx.vertx().eventBus().<JsonObject>request(Addresses.KEYS_DELETE, ctx.pathParam("id"), options()).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(204).end();
      } else {
        answer(ctx, ar, 204);
      }
    });
  }

  private static void answer(RoutingContext ctx, AsyncResult<Message<JsonObject>> ar, int status) {
    if (ar.succeeded()) {
      reply(ctx, status, ar.result().body());
    } else if (ar.cause() instanceof ReplyException r && r.failureCode() >= 400 && r.getMessage() != null && r.getMessage().startsWith("{")) {
      reply(ctx, r.failureCode(), new JsonObject(r.getMessage()));
    } else {
      reply(ctx, 503, error("the provider keys are not available: " + ar.cause().getMessage(), "api_error"));
    }
  }

  private static JsonObject error(String message, String type) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type).putNull("param").putNull("code"));
  }

  private static void reply(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
  }
}
