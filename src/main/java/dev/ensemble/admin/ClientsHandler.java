package dev.ensemble.admin;

import dev.ensemble.bus.Addresses;
import dev.ensemble.clients.Client;
import dev.ensemble.clients.ClientKeys;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.clients.OnDisconnect;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.SharedEntry;
import dev.ensemble.ratelimit.SlidingWindowLog;
import dev.ensemble.wire.RequestJson;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Set;

/**
 * {@code /admin/clients}: gateway client keys.
 * <ul>
 *   <li>{@code POST {name, monthly_budget_usd?, rpm_limit?, on_disconnect?: continue|cancel}} -> 201
 *       {@code {id, name, key, ...}}. The key is generated here, shown in this answer only, and only its SHA-256
 *       leaves: to the fleet-state verticle, which stores it and has it in force on this node and every live
 *       member of the fleet before answering, so the key works at once on any node.</li>
 *   <li>{@code GET} -> {@code {clients: [{id, name, monthly_budget_usd, rpm_limit, on_disconnect, created_at,
 *       spent_this_month_usd}]}}: no keys, no hashes.</li>
 *   <li>{@code DELETE /admin/clients/{id}} -> 200 {@code {id, deleted: true}}, 404 when unknown; the key stops
 *       working before the answer.</li>
 * </ul>
 */
public final class ClientsHandler {

  private static final Set<String> FIELDS = Set.of("name", "monthly_budget_usd", "rpm_limit", "on_disconnect");
  private static final long ASK_TIMEOUT_MS = 30_000;

  private final ClientRegistry registry;
  private final SecureRandom random;
  private final Clock clock;

  public ClientsHandler(ClientRegistry registry, SecureRandom random, Clock clock) {
    this.registry = registry;
    this.random = random;
    this.clock = clock;
  }

  public void create(RoutingContext ctx) {
    Client client;
    String key = ClientKeys.generate(random);
    try {
      client = parse(ctx, ClientKeys.hash(key));
    } catch (BadField e) {
      reply(ctx, 400, new JsonObject().put("error", new JsonObject().put("message", e.getMessage())
          .put("type", "invalid_request_error").put("param", e.param)));
      return;
    }
    JsonObject change = new JsonObject().put("kind", SharedEntry.CLIENT).put("id", client.id()).put("body", client.toJson()).put("expect", "absent");
    ctx.vertx().eventBus().<JsonObject>request(Addresses.FLEET_PUT, change, options()).onComplete(ar -> {
      if (ar.succeeded()) {
        JsonObject body = new JsonObject().put("id", client.id()).put("name", client.name()).put("key", key);
        client.publicJson().forEach(e -> body.put(e.getKey(), e.getValue()));
        reply(ctx, 201, body);
      } else {
        reply(ctx, 503, error("The client could not be stored", "api_error"));
      }
    });
  }

  /** {@code usd} as a JSON number without trailing zeros or an exponent ({@code 0.015}, {@code 100}). */
  private static BigDecimal plain(BigDecimal usd) {
    return new BigDecimal(usd.stripTrailingZeros().toPlainString());
  }

  public void list(RoutingContext ctx) {
    JsonArray out = new JsonArray();
    for (Client c : registry.directory().all()) {
      out.add(c.publicJson().put("spent_this_month_usd", plain(registry.spentThisMonth(c.id()))));
    }
    reply(ctx, 200, new JsonObject().put("clients", out));
  }

  public void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    JsonObject change = new JsonObject().put("kind", SharedEntry.CLIENT).put("id", id).put("deleted", true).put("expect", "present");
    ctx.vertx().eventBus().request(Addresses.FLEET_PUT, change, options()).onComplete(ar -> {
      if (ar.succeeded()) {
        reply(ctx, 200, new JsonObject().put("id", id).put("deleted", true));
      } else if (ar.cause() instanceof ReplyException r && r.failureCode() == 404) {
        reply(ctx, 404, error("No client with id '" + id + "'", "not_found_error"));
      } else {
        reply(ctx, 503, error("The client could not be deleted", "api_error"));
      }
    });
  }

  private Client parse(RoutingContext ctx, String keyHash) {
    JsonObject body;
    try {
      body = RequestJson.object(ctx.body().buffer(), "request body");
    } catch (GatewayError e) {
      throw new BadField(null, e.getMessage());
    }
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw new BadField(field, "unknown field '" + field + "'; allowed: name, monthly_budget_usd, rpm_limit, on_disconnect");
      }
    }
    if (!(body.getValue("name") instanceof String name) || name.isBlank() || name.length() > 200) {
      throw new BadField("name", "name must be a non-empty string of at most 200 characters");
    }
    BigDecimal budget = null;
    Object b = body.getValue("monthly_budget_usd");
    if (b != null) {
      try {
        budget = new BigDecimal(b.toString());
      } catch (NumberFormatException e) {
        throw new BadField("monthly_budget_usd", "monthly_budget_usd must be a number of USD");
      }
      if (budget.signum() < 0) {
        throw new BadField("monthly_budget_usd", "monthly_budget_usd must not be negative");
      }
    }
    Integer rpm = null;
    Object r = body.getValue("rpm_limit");
    if (r != null) {
      if (!(r instanceof Integer || r instanceof Long) || ((Number) r).longValue() < 1 || ((Number) r).longValue() > SlidingWindowLog.MAX_LIMIT) {
        throw new BadField("rpm_limit", "rpm_limit must be a whole number from 1 to " + SlidingWindowLog.MAX_LIMIT);
      }
      rpm = ((Number) r).intValue();
    }
    OnDisconnect onDisconnect = OnDisconnect.CONTINUE;
    Object d = body.getValue("on_disconnect");
    if (d != null) {
      onDisconnect = (d instanceof String s ? OnDisconnect.of(s) : java.util.Optional.<OnDisconnect>empty())
          .orElseThrow(() -> new BadField("on_disconnect", "on_disconnect must be 'continue' or 'cancel'"));
    }
    return new Client("cli_" + ClientKeys.randomBase62(random, 16), name.strip(), keyHash, budget, rpm, onDisconnect, clock.millis());
  }

  private static DeliveryOptions options() {
    return new DeliveryOptions().setSendTimeout(ASK_TIMEOUT_MS);
  }

  private static JsonObject error(String message, String type) {
    return new JsonObject().put("error", new JsonObject().put("message", message).put("type", type));
  }

  private static void reply(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.toBuffer());
  }

  private static final class BadField extends RuntimeException {
    private final String param;

    BadField(String param, String message) {
      super(message, null, false, false);
      this.param = param;
    }
  }
}
