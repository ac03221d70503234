package dev.ensemble.ingress;

import dev.ensemble.clients.ClientAccount;
import io.vertx.ext.web.RoutingContext;

/**
 * Who sent a request, as {@link ClientAuth} established it: a gateway client, nobody (anonymous, when the node
 * allows it), or the admin (admin key, accepted on the response routes only).
 */
record Caller(ClientAccount account, boolean admin) {

  static final Caller ANONYMOUS = new Caller(ClientAccount.ANONYMOUS, false);
  static final Caller ADMIN = new Caller(ClientAccount.ANONYMOUS, true);

  private static final String KEY = "ensemble.caller";

  void attachTo(RoutingContext ctx) {
    ctx.put(KEY, this);
  }

  /** The caller attached to the request, anonymous if none was. */
  static Caller of(RoutingContext ctx) {
    Caller caller = ctx.get(KEY);
    return caller == null ? ANONYMOUS : caller;
  }
}
