package dev.ensemble.ingress;

import dev.ensemble.bus.Addresses;
import dev.ensemble.clients.ClientRegistry;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.model.Usage;
import dev.ensemble.persistence.AnswerBody;
import dev.ensemble.persistence.LedgerEntry;
import dev.ensemble.persistence.ResponseRecord;
import dev.ensemble.pools.ProviderPool;
import dev.ensemble.pricing.CostCalculator;
import dev.ensemble.providers.Endpoint;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.responses.Background;
import dev.ensemble.wire.responses.UpstreamResponses;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * Responses OpenAI runs in background mode ({@code background: true}, not streamed), relayed: the create call is an
 * ordinary passthrough whose record keeps where the response runs ({@link #where}: the upstream's id, provider,
 * endpoint, upstream model, prices, and the conversation before it). While that record is {@code in_progress},
 * {@code GET /v1/responses/{id}} and {@code POST /v1/responses/{id}/cancel} go to the same endpoint (the same key) at
 * {@code GET /responses/{upstream id}} and {@code POST /responses/{upstream id}/cancel}, and the client is shown the
 * upstream's object with the gateway's id and its own model name. The first poll that finds it finished settles it:
 * the final object replaces the record ({@link Addresses#PERSIST_RESPONSE_SETTLE}, a compare-and-set on its status,
 * so of two racing polls only one wins), and only the winner writes the usage ledger row ({@code <id>:background},
 * the usage and cost the upstream reported) and adds the cost to the client's spend. Later reads are answered from
 * the store. Holds nothing mutable.
 */
final class BackgroundResponses {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundResponses.class);

  private final ModelRouter router;
  private final ClientRegistry clients;

  BackgroundResponses(ModelRouter router, ClientRegistry clients) {
    this.router = router;
    this.clients = clients;
  }

  /** What the record of {@code answer} keeps about where it runs, or null when it is not a background response still running. */
  static JsonObject where(UnifiedResponse answer, Selection selection) {
    String upstreamId = answer == null ? null : Background.pendingId(answer.nativeBody());
    if (upstreamId == null) {
      return null;
    }
    ModelConfig.Pricing pricing = selection.pricing();
    return new JsonObject().put("upstream_id", upstreamId).put("provider", selection.pool().name())
        .put("endpoint", selection.endpoint().id()).put("upstream_model", selection.upstreamModel())
        .put("pricing", new JsonObject().put("input", pricing.input().toPlainString()).put("output", pricing.output().toPlainString())
            .put("cache_read", pricing.cacheRead().toPlainString()).put("cache_write", pricing.cacheWrite().toPlainString()));
  }

  /** Whether {@code stored} is a background response no poll has found finished yet. */
  static boolean pending(JsonObject stored) {
    return stored.getJsonObject("background") != null && "in_progress".equals(stored.getString("status"));
  }

  /** {@code GET}: the upstream's object now; settled when it is finished. */
  void poll(RoutingContext ctx, ClientDialect dialect, JsonObject stored) {
    relay(ctx, dialect, stored, HttpMethod.GET, Background.retrievePath(stored.getJsonObject("background").getString("upstream_id")));
  }

  /**
   * {@code POST .../cancel}: a response still running is cancelled upstream; a finished background response is
   * returned as it is (cancelling twice is harmless, as with OpenAI); any other response is a 400.
   */
  void cancel(RoutingContext ctx, ClientDialect dialect, JsonObject stored, boolean inFlight) {
    String id = ctx.pathParam("id");
    if (stored.getJsonObject("background") == null) {
      ErrorResponder.send(ctx.response(), dialect, inFlight && "in_progress".equals(stored.getString("status"))
          ? new GatewayError(ErrorType.INVALID_REQUEST, 409, "Response '" + id + "' is still being created; retry", true, 1L, "id")
          : GatewayError.invalid(null, "Cannot cancel a synchronous response: only a response created with background: true can be cancelled"));
    } else if (pending(stored)) {
      relay(ctx, dialect, stored, HttpMethod.POST, Background.cancelPath(stored.getJsonObject("background").getString("upstream_id")));
    } else {
      json(ctx, stored.getJsonObject("body"));
    }
  }

  private void relay(RoutingContext ctx, ClientDialect dialect, JsonObject stored, HttpMethod method, String path) {
    JsonObject where = stored.getJsonObject("background");
    String provider = where.getString("provider");
    ProviderPool pool = router.pool(provider);
    Endpoint endpoint = pool == null ? null
        : pool.endpoints().stream().filter(e -> e.id().equals(where.getString("endpoint"))).findFirst().orElse(null);
    if (endpoint == null) {
      ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.UPSTREAM_ERROR, 502, "Endpoint " + where.getString("endpoint")
          + " of provider " + provider + ", which runs response '" + ctx.pathParam("id") + "', is not configured on this node", true, null, null));
      return;
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("accept", "application/json");
    pool.send(endpoint, new UpstreamCall(method, path, headers, Buffer.buffer(), false))
        .compose(response -> response.fullBody().map(body -> {
          if (response.status() >= 400) {
            ProviderError error = pool.adapter().classify(response.status(), response.headers(), body);
            throw UpstreamFailures.fromProvider(error, provider);
          }
          return body;
        }))
        .onComplete(ar -> {
          if (ar.failed()) {
            ErrorResponder.send(ctx.response(), dialect, ar.cause() instanceof GatewayError e ? e
                : UpstreamFailures.fromTransport(ar.cause(), provider));
            return;
          }
          JsonObject upstream;
          UnifiedResponse answer;
          try {
            upstream = ar.result().toJsonObject();
            answer = UpstreamResponses.decode(upstream);
          } catch (DecodeException | ClassCastException | UpstreamProtocolException e) {
            ErrorResponder.send(ctx.response(), dialect, GatewayError.of(ErrorType.UPSTREAM_ERROR,
                "Upstream " + provider + " sent an invalid response object for response '" + ctx.pathParam("id") + "'"));
            return;
          }
          JsonObject shown = Background.shown(upstream, stored.getJsonObject("body", new JsonObject()));
          if (!Background.terminal(upstream.getString("status"))) {
            json(ctx, shown);
            return;
          }
          settle(ctx, stored, upstream, answer, shown);
        });
  }

  /** Stores the finished response once and bills it; the client is shown it whichever poll won. */
  private void settle(RoutingContext ctx, JsonObject stored, JsonObject upstream, UnifiedResponse answer, JsonObject shown) {
    ResponseRecord before = ResponseRecord.fromJson(stored);
    JsonObject where = before.background();
    String status = upstream.getString("status");
    boolean completed = "completed".equals(status) || "incomplete".equals(status);
    Usage usage = answer.usage();
    BigDecimal cost = CostCalculator.cost(usage, pricing(where.getJsonObject("pricing")));
    JsonObject error = completed ? null : upstream.getValue("error") instanceof JsonObject e ? e.copy().put("type", status)
        : new JsonObject().put("type", status).put("message", "The background response was " + status);
    JsonArray conversation = null;
    if (completed) {
      conversation = where.getJsonArray("history", new JsonArray()).copy();
      JsonArray output = upstream.getValue("output") instanceof JsonArray o ? o : new JsonArray();
      output.forEach(conversation::add);
    }
    Instant now = Instant.now();
    ResponseRecord settled = new ResponseRecord(before.id(), completed ? ResponseRecord.Status.COMPLETED : ResponseRecord.Status.FAILED,
        before.clientFormat(), before.model(), before.provider(), before.endpoint(), before.createdAt(), now, answer.text(),
        answer.stopReason() == null ? null : answer.stopReason().wireName(), usage, cost, false, AnswerBody.of(shown), before.events(), error,
        before.clientId(), conversation, before.inputItems(), where.copy().put("status", status));
    ctx.vertx().eventBus().request(Addresses.PERSIST_RESPONSE_SETTLE, settled).onComplete(ar -> {
      if (ar.succeeded()) {
        LedgerEntry row = new LedgerEntry(before.id() + ":background", before.clientId(), before.provider(), before.endpoint(),
            before.model(), where.getString("upstream_model"), usage, cost, now.toEpochMilli() - before.createdAt().toEpochMilli(), -1, 200, 1,
            "background", false, now.toEpochMilli());
        ctx.vertx().eventBus().send(Addresses.PERSIST_LEDGER, row);
        if (before.clientId() != null && clients != null) {
          clients.bill(before.clientId(), cost);
        }
      } else if (!(ar.cause() instanceof ReplyException r && (r.failureCode() == 409 || r.failureCode() == 404))) {
        // nothing billed: the record is still in progress, so the next poll settles it
        LOG.warn("background response {} finished but could not be stored yet: {}", before.id(), ar.cause().toString());
      }
      json(ctx, shown);
    });
  }

  private static ModelConfig.Pricing pricing(JsonObject json) {
    JsonObject p = json == null ? new JsonObject() : json;
    return new ModelConfig.Pricing(new BigDecimal(p.getString("input", "0")), new BigDecimal(p.getString("output", "0")),
        new BigDecimal(p.getString("cache_read", "0")), new BigDecimal(p.getString("cache_write", "0")));
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("content-type", "application/json").end(body.toBuffer());
  }
}
