package dev.ensemble.ingress;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Requests that cannot be routed because they cannot be read: a request head the HTTP decoder refused (a line or
 * headers over the server's limits, a malformed request line) and query strings that are not valid
 * percent-encoding. Each gets a JSON error in the format of the route its path names (OpenAI's where none
 * applies), never an empty or plain-text answer; a refused head also closes the connection, since the bytes
 * after it cannot be trusted. Stateless.
 */
final class MalformedRequests {

  private final HttpServerOptions options;
  private final Function<String, ClientDialect> dialectOfPath;

  MalformedRequests(HttpServerOptions options, Function<String, ClientDialect> dialectOfPath) {
    this.options = options;
    this.dialectOfPath = dialectOfPath;
  }

  /** For {@code HttpServer.invalidRequestHandler}: the head could not be decoded. */
  Handler<HttpServerRequest> invalidHead() {
    return request -> {
      DecoderResult result = request.decoderResult();
      Throwable cause = result == null ? null : result.cause();
      GatewayError error;
      if (cause instanceof TooLongHttpLineException) {
        error = new GatewayError(ErrorType.INVALID_REQUEST, 414, "The request line is longer than " + options.getMaxInitialLineLength()
            + " bytes; send long values in the body", false, null, null);
      } else if (cause instanceof TooLongHttpHeaderException) {
        error = new GatewayError(ErrorType.INVALID_REQUEST, 431, "The request headers are larger than " + options.getMaxHeaderSize()
            + " bytes", false, null, null);
      } else {
        error = new GatewayError(ErrorType.INVALID_REQUEST, 400, "The request head is not valid HTTP/1.1: " + describe(cause), false, null, null);
      }
      request.response().putHeader("connection", "close");
      ErrorResponder.send(request.response(), dialectOf(request), error).onComplete(v -> request.connection().close());
    };
  }

  /** For the router, where the server's options are not at hand (the checks there do not need them). */
  static MalformedRequests forRoutes(Function<String, ClientDialect> dialectOfPath) {
    return new MalformedRequests(new HttpServerOptions(), dialectOfPath);
  }

  /** A router handler before all others: a query string that does not decode is a 400 naming the parameter. */
  void checkQuery(RoutingContext ctx) {
    if (!refusedQuery(ctx)) {
      ctx.next();
    }
  }

  /** Whether the query string does not decode: then the 400 naming the parameter was sent. */
  boolean refusedQuery(RoutingContext ctx) {
    String query = ctx.request().query();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String name = eq < 0 ? pair : pair.substring(0, eq);
        if (!decodes(pair)) {
          String shown = decodes(name) ? URLDecoder.decode(name, StandardCharsets.UTF_8) : name;
          ErrorResponder.send(ctx.response(), dialectOf(ctx.request()), GatewayError.invalid(shown,
              "the query parameter '" + shown + "' is not valid percent-encoding (a '%' must start an escape such as %2F)"));
          return true;
        }
      }
    }
    return false;
  }

  private ClientDialect dialectOf(HttpServerRequest request) {
    String path;
    try {
      path = request.path();
    } catch (RuntimeException e) {
      path = null;
    }
    return dialectOfPath.apply(path == null ? "" : path);
  }

  /** Whether {@code path} (as sent, still encoded) is valid percent-encoding. */
  static boolean pathDecodes(String path) {
    return path == null || decodes(path.replace("+", "%2B"));
  }

  private static boolean decodes(String s) {
    try {
      URLDecoder.decode(s, StandardCharsets.UTF_8);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "it could not be parsed";
    }
    String message = cause.getMessage();
    if (message == null || message.isBlank()) {
      return "it could not be parsed";
    }
    message = message.replaceAll("[\\p{Cntrl}]", "?");
    return message.length() > 200 ? message.substring(0, 200) + "..." : message;
  }
}
