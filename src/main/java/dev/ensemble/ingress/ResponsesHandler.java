package dev.ensemble.ingress;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.Sse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.math.BigDecimal;
import java.util.function.Consumer;

/**
 * {@code GET /api/v1/responses/{id}} (the response) and {@code GET /api/v1/responses/{id}/events} (its unified
 * events as SSE, each with {@code id: <seq>}, resuming after {@code Last-Event-ID}). A response this node is
 * still producing is answered from its live journal ({@link LiveResponses}): status {@code in_progress} with the
 * text so far, and events replayed then followed as they come until the terminal one. Any other id is read from
 * the persistence verticle over the event bus; one this node does not know is asked of the fleet's other nodes
 * ({@link PeerResponses}): stored there, or still streaming there and then followed live across the bus.
 * Errors are in OpenAI's format. Only the client that created a
 * response, or the admin key, may read it; to anyone else it does not exist (404).
 */
final class ResponsesHandler {

  private final ClientDialect errors;
  private final ResponseAccess access;
  private final LiveResponses live;
  private final PeerResponses peers;

  ResponsesHandler(ClientDialect errors, ResponseAccess access, LiveResponses live, PeerResponses peers) {
    this.errors = errors;
    this.access = access;
    this.live = live;
    this.peers = peers;
  }

  void response(RoutingContext ctx) {
    ResponseJournal journal = live.find(ctx.pathParam("id"));
    if (journal != null) {
      if (access.mayRead(Caller.of(ctx), journal.clientId())) {
        journal.view(ctx.vertx().getOrCreateContext(), view -> ctx.response().putHeader("content-type", "application/json").end(shown(view).toBuffer()));
      } else {
        notFound(ctx);
      }
      return;
    }
    load(ctx, stored -> {
      JsonObject view = stored.copy();
      view.remove("events");
      view.remove("client_format");
      view.remove("client_id");
      view.remove("conversation");
      view.remove("input_items");
      view.remove("background");
      ctx.response().putHeader("content-type", "application/json").end(shown(view).toBuffer());
    }, remote -> ctx.response().putHeader("content-type", "application/json").end(shown(remote.getJsonObject("view")).toBuffer()));
  }

  /** The view as clients read it: {@code cost_usd} a JSON number (as in {@code response.end} and {@code /admin/usage}), though stored as a decimal string. */
  private static JsonObject shown(JsonObject view) {
    if (view.getValue("cost_usd") instanceof String cost) {
      view.put("cost_usd", new BigDecimal(cost));
    }
    return view;
  }

  void events(RoutingContext ctx) {
    long after = lastEventId(ctx.request().getHeader("Last-Event-ID"));
    ResponseJournal journal = live.find(ctx.pathParam("id"));
    if (journal != null) {
      if (access.mayRead(Caller.of(ctx), journal.clientId())) {
        follow(ctx, journal, after);
      } else {
        notFound(ctx);
      }
      return;
    }
    load(ctx, stored -> {
      JsonArray events = stored.getJsonArray("events", new JsonArray());
      Buffer out = Buffer.buffer();
      for (int i = 0; i < events.size(); i++) {
        JsonObject event = events.getJsonObject(i);
        long seq = event.getLong("seq", (long) i);
        if (seq > after) {
          out.appendBuffer(Sse.event(seq, event.getString("type"), event.encode()));
        }
      }
      ctx.response().putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache").end(out);
    }, remote -> {
      HttpServerResponse out = ctx.response().setChunked(true).putHeader("content-type", "text/event-stream")
          .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
      out.writeHead();
      peers.follow(ctx.vertx(), remote.getString("node"), ctx.pathParam("id"), after, out);
    });
  }

  private static void follow(RoutingContext ctx, ResponseJournal journal, long after) {
    HttpServerResponse out = ctx.response().setChunked(true).putHeader("content-type", "text/event-stream")
        .putHeader("cache-control", "no-cache").putHeader("x-accel-buffering", "no");
    out.writeHead();
    EventFollower follower = new EventFollower(ctx.vertx().getOrCreateContext(), out, after);
    out.closeHandler(v -> journal.unfollow(follower));
    journal.follow(follower);
  }

  private void notFound(RoutingContext ctx) {
    ErrorResponder.send(ctx.response(), errors, new GatewayError(ErrorType.NOT_FOUND, 404, "No response with id '" + ctx.pathParam("id") + "'",
        false, null, "id"));
  }

  /**
   * Finds a response that is not live here: in this node's store, else on another node of the fleet — stored
   * there ({@code found}) or still being produced there ({@code live}, with the owner's {@code node} and {@code view}).
   */
  private void load(RoutingContext ctx, Consumer<JsonObject> found, Consumer<JsonObject> liveElsewhere) {
    String id = ctx.pathParam("id");
    ctx.vertx().eventBus().<JsonObject>request(Addresses.PERSIST_RESPONSE_GET, id).onComplete(ar -> {
      if (ar.succeeded()) {
        if (access.mayRead(Caller.of(ctx), ar.result().body().getString("client_id"))) {
          found.accept(ar.result().body());
        } else {
          notFound(ctx);
        }
      } else if (ar.cause() instanceof ReplyException r && r.failureCode() == 404) {
        peers.find(ctx.vertx(), id).onComplete(remote -> {
          if (remote.failed() || !access.mayRead(Caller.of(ctx), remote.result().getString("client_id"))) {
            notFound(ctx);
          } else if (remote.result().getBoolean("live", false)) {
            liveElsewhere.accept(remote.result());
          } else {
            found.accept(remote.result().getJsonObject("stored"));
          }
        });
      } else {
        ErrorResponder.send(ctx.response(), errors, GatewayError.of(ErrorType.INTERNAL, "The response store could not be read"));
      }
    });
  }

  private static long lastEventId(String header) {
    if (header == null || header.isBlank()) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
