package dev.ensemble.ingress;

import dev.ensemble.bus.Addresses;
import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Finds a response a client stored in its own format, for the format's own routes: {@code previous_response_id}
 * (continue the conversation), {@code GET}/{@code DELETE /v1/responses/{id}} and {@code POST /v1/responses/{id}/cancel}. A response this node is still
 * producing or storing is read from its live journal, any other from the persistence verticle, and one this node does
 * not have from the other nodes of the fleet ({@link PeerResponses}: a balancer may send the next turn of a
 * conversation, or its read or delete, to any node). A response of
 * another format, of another client, or that does not exist is a 404 in the caller's format naming the field.
 * Holds nothing mutable.
 */
final class StoredResponses {

  private final LiveResponses live;
  private final ResponseAccess access;
  private final BackgroundResponses background;
  private final PeerResponses peers;

  StoredResponses(LiveResponses live, ResponseAccess access, BackgroundResponses background, PeerResponses peers) {
    this.live = live;
    this.access = access;
    this.background = background;
    this.peers = peers;
  }

  /**
   * Hands {@code found} the response's stored form ({@code body}, {@code conversation}, {@code status}, ...) when
   * the caller may read it in {@code dialect}'s format; {@code live} is true while the node has not stored it yet
   * (then {@code conversation} is present only once the answer is finished). Anything else answers 404.
   */
  void find(RoutingContext ctx, ClientDialect dialect, String id, String param, Found found) {
    Caller caller = Caller.of(ctx);
    ResponseJournal journal = live.find(id);
    if (journal != null) {
      if (!dialect.name().equals(journal.clientFormat()) || !access.mayRead(caller, journal.clientId())) {
        notFound(ctx, dialect, id, param);
        return;
      }
      journal.snapshot(ctx.vertx().getOrCreateContext(), dialect, (record, partial) -> found.accept(
          record != null ? record.toJson() : new JsonObject().put("status", "in_progress").put("body", partial), true));
      return;
    }
    ctx.vertx().eventBus().<JsonObject>request(Addresses.PERSIST_RESPONSE_GET, id).onComplete(ar -> {
      if (ar.succeeded() && dialect.name().equals(ar.result().body().getString("client_format"))
          && access.mayRead(caller, ar.result().body().getString("client_id"))) {
        found.accept(ar.result().body(), false);
      } else if (ar.succeeded()) {
        notFound(ctx, dialect, id, param);
      } else if (ar.cause() instanceof ReplyException r && r.failureCode() == 404) {
        findOnPeers(ctx, dialect, id, param, caller, found);
      } else {
        ErrorResponder.send(ctx.response(), dialect, GatewayError.of(ErrorType.INTERNAL, "The response store could not be read"));
      }
    });
  }

  /** A response this node does not have: stored on another node, or still being produced there (in progress). */
  private void findOnPeers(RoutingContext ctx, ClientDialect dialect, String id, String param, Caller caller, Found found) {
    peers.find(ctx.vertx(), id).onComplete(remote -> {
      if (remote.failed() || !dialect.name().equals(remote.result().getString("client_format"))
          || !access.mayRead(caller, remote.result().getString("client_id"))) {
        notFound(ctx, dialect, id, param);
      } else if (remote.result().getBoolean("live", false)) {
        found.accept(new JsonObject().put("status", "in_progress"), true);
      } else {
        found.accept(remote.result().getJsonObject("stored"), false);
      }
    });
  }

  /** The conversation stored with a finished response, for a call that continues it. */
  void conversation(RoutingContext ctx, ClientDialect dialect, String id, Consumer<io.vertx.core.json.JsonArray> then) {
    find(ctx, dialect, id, "previous_response_id", (stored, inFlight) -> {
      io.vertx.core.json.JsonArray conversation = stored.getJsonArray("conversation");
      if (conversation != null) {
        then.accept(conversation);
      } else if ("in_progress".equals(stored.getString("status"))) {
        ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.INVALID_REQUEST, 400,
            "Previous response with id '" + id + "' is still in progress", false, null, "previous_response_id"));
      } else {
        ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.INVALID_REQUEST, 400,
            "Previous response with id '" + id + "' did not complete, so it cannot be continued", false, null, "previous_response_id"));
      }
    });
  }

  /**
   * {@code GET}: the stored body as the client was (or is being) given it; a background response still running is
   * read from the upstream that runs it ({@link BackgroundResponses}); one stored without a body (an answer a crashed
   * node left, persisted {@code failed} / {@code interrupted} at its restart) is shown as the failed answer it is, in
   * the caller's format, with the text seen until the crash.
   */
  void read(RoutingContext ctx, ClientDialect dialect) {
    String id = ctx.pathParam("id");
    find(ctx, dialect, id, "id", (stored, inFlight) -> {
      if (BackgroundResponses.pending(stored)) {
        background.poll(ctx, dialect, stored);
      } else if (stored.getJsonObject("body") == null && "in_progress".equals(stored.getString("status"))) {
        // still being produced on another node, which holds its partial body
        ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.INVALID_REQUEST, 409,
            "Response '" + id + "' is still being produced on another node; read it once it is complete", true, 1L, "id"));
      } else {
        JsonObject body = stored.getJsonObject("body");
        ctx.response().putHeader("content-type", "application/json").end((body != null ? body : failedBody(dialect, id, stored)).toBuffer());
      }
    });
  }

  /** The body of a response stored without one: its text so far, ended by an error, as {@code dialect} renders an answer. */
  private static JsonObject failedBody(ClientDialect dialect, String id, JsonObject stored) {
    String text = stored.getString("text", "");
    UnifiedResponse answer = new UnifiedResponse(id, stored.getString("model"), text.isEmpty() ? List.of() : List.of(ContentBlock.Text.of(text)),
        StopReason.ERROR, null, Usage.fromJson(stored.getJsonObject("usage")));
    String created = stored.getString("created_at");
    return dialect.encodeResponse(answer, new ResponseContext(id, stored.getString("model"),
        created == null ? Instant.now().getEpochSecond() : Instant.parse(created).getEpochSecond()));
  }

  /** {@code POST .../cancel}: cancels a background response ({@link BackgroundResponses#cancel}). */
  void cancel(RoutingContext ctx, ClientDialect dialect) {
    find(ctx, dialect, ctx.pathParam("id"), "id", (stored, inFlight) -> background.cancel(ctx, dialect, stored, inFlight));
  }

  /**
   * {@code GET .../input_items}: the input the response was made from, a page of it as the caller's paging parameters
   * ask. A response still being produced is a 409 (its input is stored with it); one stored without input items (an
   * interrupted one a crashed node left) lists none.
   */
  void inputItems(RoutingContext ctx, ClientDialect dialect) {
    String id = ctx.pathParam("id");
    find(ctx, dialect, id, "id", (stored, inFlight) -> {
      if (inFlight && "in_progress".equals(stored.getString("status"))) {
        ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.INVALID_REQUEST, 409,
            "Response '" + id + "' is still being produced; list its input items once it is complete", true, 1L, "id"));
        return;
      }
      try {
        JsonObject page = dialect.encodeInputItems(stored.getJsonArray("input_items", new io.vertx.core.json.JsonArray()), ctx.queryParams());
        ctx.response().putHeader("content-type", "application/json").end(page.toBuffer());
      } catch (GatewayError e) {
        ErrorResponder.send(ctx.response(), dialect, e);
      }
    });
  }

  /**
   * {@code DELETE}: removes the response from the index and the store. A response still being produced is a 409; one
   * finished but not yet stored is deleted once the store has it.
   */
  void delete(RoutingContext ctx, ClientDialect dialect) {
    String id = ctx.pathParam("id");
    find(ctx, dialect, id, "id", (stored, inFlight) -> {
      ResponseJournal journal = inFlight ? live.find(id) : null;
      if (inFlight && "in_progress".equals(stored.getString("status"))) {
        ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.INVALID_REQUEST, 409,
            "Response '" + id + "' is still being produced; delete it once it is complete", true, 1L, "id"));
      } else if (journal != null) {
        journal.whenClosed(ctx.vertx().getOrCreateContext(), v -> deleteStored(ctx, dialect, id));
      } else {
        deleteStored(ctx, dialect, id);
      }
    });
  }

  private void deleteStored(RoutingContext ctx, ClientDialect dialect, String id) {
    ctx.vertx().eventBus().request(Addresses.PERSIST_RESPONSE_DELETE, id).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader("content-type", "application/json").end(dialect.encodeDeleted(id).toBuffer());
      } else if (ar.cause() instanceof ReplyException r && r.failureCode() == 404) {
        peers.delete(ctx.vertx(), id).onComplete(remote -> {
          if (remote.succeeded()) {
            ctx.response().putHeader("content-type", "application/json").end(dialect.encodeDeleted(id).toBuffer());
          } else {
            notFound(ctx, dialect, id, "id");
          }
        });
      } else {
        ErrorResponder.send(ctx.response(), dialect, GatewayError.of(ErrorType.INTERNAL, "The response could not be deleted"));
      }
    });
  }

  private static void notFound(RoutingContext ctx, ClientDialect dialect, String id, String param) {
    String what = "previous_response_id".equals(param) ? "Previous response" : "Response";
    ErrorResponder.send(ctx.response(), dialect, new GatewayError(ErrorType.NOT_FOUND, 404,
        what + " with id '" + id + "' not found.", false, null, param));
  }

  /** What a lookup found: the stored form, and whether it came from a live journal. */
  interface Found {
    void accept(JsonObject stored, boolean inFlight);
  }
}
