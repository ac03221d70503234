package dev.ensemble.ingress;

import dev.ensemble.cache.CacheDirectives;
import dev.ensemble.clients.ClientAccount;
import dev.ensemble.config.RouteConfig;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.RequestJson;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Function;

/**
 * Serves one chat route in one client format: admit the caller (a client's monthly budget and {@code rpm_limit}:
 * 429 before anything else), parse and validate the body, route it, and hand it to a
 * {@link ChatExchange}; a call that continues a stored conversation ({@code previous_response_id}) first has
 * that conversation loaded ({@link StoredResponses}). {@code routeOf} gives the named workflow a request came in on (its model replaces the
 * body's, its retry and fallback settings govern failover, its cache policy applies), or null for the plain chat routes.
 * The {@link ChatLauncher} asks the response cache first when a policy covers the request ({@code Cache-Control}
 * request directives honoured).
 */
final class ChatHandler implements Handler<RoutingContext> {

  private final ClientDialect dialect;
  private final ChatLauncher launcher;
  private final Function<RoutingContext, RouteConfig> routeOf;
  private final StoredResponses conversations;
  private final RoutingHeaders routing;

  ChatHandler(ClientDialect dialect, ChatLauncher launcher, Function<RoutingContext, RouteConfig> routeOf, StoredResponses conversations,
      RoutingHeaders routing) {
    this.routing = routing;
    this.dialect = dialect;
    this.launcher = launcher;
    this.routeOf = routeOf;
    this.conversations = conversations;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Admission.admit(ctx, dialect, this::serve);
  }

  private void serve(RoutingContext ctx, HttpServerResponse response, String requestId, long now, ClientAccount account) {
    try {
      RouteConfig route = routeOf.apply(ctx);
      ClientCall call = decode(ctx, route);
      if (call.continuesFrom() == null) {
        start(ctx, call, route, requestId, now, account);
      } else {
        conversations.conversation(ctx, dialect, call.continuesFrom(), stored -> {
          try {
            start(ctx, dialect.continueFrom(call, stored), route, requestId, now, account);
          } catch (GatewayError e) {
            ErrorResponder.send(response, dialect, e);
          }
        });
      }
    } catch (GatewayError e) {
      ErrorResponder.send(response, dialect, e);
    }
  }

  /** Routes the decoded call and hands it to its exchange; {@code X-Ensemble-Session} wins over a session key in the body. */
  private void start(RoutingContext ctx, ClientCall call, RouteConfig route, String requestId, long now, ClientAccount account) {
    UnifiedRequest request = call.request();
    String session = ctx.request().getHeader(Headers.SESSION);
    RoutingHints hints = RoutingHints.of(session != null ? session : call.sessionKey());
    ResponseContext context = new ResponseContext(requestId, request.model(), now / 1000, call.echo());
    launcher.launch(ctx.vertx(), new HttpChannel(ctx.response(), Headers.Names.of(ctx.request()), routing, dialect, context), dialect, route, call, hints, context, account,
        CacheDirectives.parse(ctx.request().getHeader(Headers.CACHE_CONTROL)));
  }

  /**
   * The call in the body: read straight from its bytes when the format takes it so ({@link ClientDialect#decodePlain}),
   * else parsed and decoded; on a workflow's route the route's model replaces the body's (always the parsed way).
   */
  private ClientCall decode(RoutingContext ctx, RouteConfig route) {
    Buffer buffer = ctx.body().buffer();
    JsonObject body;
    if (route == null && buffer != null && buffer.length() > 0) {
      byte[] bytes = buffer.getBytes();
      ClientCall plain = dialect.decodePlain(bytes);
      if (plain != null) {
        return plain;
      }
      body = RequestJson.object(bytes, "request body");
    } else {
      body = jsonBody(buffer);
    }
    if (route != null) {
      body.put("model", route.model());
    }
    return dialect.decode(body, params(ctx));
  }

  /** The path parameters (e.g. Gemini's {@code model:method}) and the query string, for the dialect to read. */
  private static MultiMap params(RoutingContext ctx) {
    MultiMap params = MultiMap.caseInsensitiveMultiMap().addAll(ctx.queryParams());
    ctx.pathParams().forEach(params::add);
    return params;
  }

  static JsonObject jsonBody(Buffer body) {
    return RequestJson.object(body, "request body");
  }
}
