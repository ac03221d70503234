package dev.ensemble.ingress;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.routing.ModelRouter;
import dev.ensemble.routing.Selection;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Serves one chat route in one client format: parse and validate the body, route it, and hand it to a
 * {@link ProxyExchange}. {@code modelOverride} maps the request to the model a named workflow uses.
 */
final class ChatHandler implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(ChatHandler.class);

  private final ClientDialect dialect;
  private final ModelRouter router;
  private final Function<RoutingContext, String> modelOverride;

  ChatHandler(ClientDialect dialect, ModelRouter router, Function<RoutingContext, String> modelOverride) {
    this.dialect = dialect;
    this.router = router;
    this.modelOverride = modelOverride;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long now = System.currentTimeMillis();
    String requestId = RequestIds.next(now);
    HttpServerResponse response = ctx.response().putHeader(Headers.REQUEST_ID, requestId);
    try {
      JsonObject body = jsonBody(ctx.body().buffer());
      String model = modelOverride.apply(ctx);
      if (model != null) {
        body.put("model", model);
      }
      UnifiedRequest request = dialect.decodeRequest(body);
      Selection selection = router.decide(request, ctx.request().getHeader(Headers.SESSION));
      response.putHeader(Headers.PROVIDER, selection.decision().provider())
          .putHeader(Headers.ENDPOINT, selection.decision().endpointId())
          .putHeader(Headers.ROUTE_REASON, selection.decision().reason())
          .putHeader(Headers.ATTEMPTS, "1");
      LOG.debug("request {} model {} routed {}", requestId, request.model(), selection.decision().toJson().encode());
      new ProxyExchange(ctx.vertx(), response, dialect, request, selection, new ResponseContext(requestId, request.model(), now / 1000)).run();
    } catch (GatewayError e) {
      ErrorResponder.send(response, dialect, e);
    }
  }

  private static JsonObject jsonBody(Buffer body) {
    if (body == null || body.length() == 0) {
      throw GatewayError.invalid(null, "The request body is empty; send a JSON object");
    }
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw GatewayError.invalid(null, "The request body is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (!(value instanceof JsonObject json)) {
      throw GatewayError.invalid(null, "The request body must be a JSON object");
    }
    return json;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
