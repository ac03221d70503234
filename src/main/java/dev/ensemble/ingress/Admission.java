package dev.ensemble.ingress;

import dev.ensemble.clients.ClientAccount;
import dev.ensemble.model.GatewayError;
import dev.ensemble.wire.ClientDialect;
import io.netty.util.AsciiString;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * How every HTTP request of a client format starts: it gets its request id (on the response at once, so even a
 * refusal carries it), and the caller's account admits it (budget, the client's own limits) before anything else is
 * done; a refusal is answered in the client's format. Stateless; runs on the event loop of the request.
 */
final class Admission {

  /** What a handler does with an admitted request. */
  @FunctionalInterface
  interface Admitted {
    void serve(RoutingContext ctx, HttpServerResponse response, String requestId, long now, ClientAccount account);
  }

  private Admission() {
  }

  static void admit(RoutingContext ctx, ClientDialect dialect, Admitted admitted) {
    long now = System.currentTimeMillis();
    AsciiString id = RequestIds.nextAscii(now);
    String requestId = id.toString();
    HttpServerResponse response = ctx.response().putHeader(Headers.Names.of(ctx.request()).requestId(), id);
    ClientAccount account = Caller.of(ctx).account();
    account.admit().onComplete(ar -> {
      if (ar.failed()) {
        ErrorResponder.send(response, dialect, GatewayError.from(ar.cause()));
      } else {
        admitted.serve(ctx, response, requestId, now, account);
      }
    });
  }
}
