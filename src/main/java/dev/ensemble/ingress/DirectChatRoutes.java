package dev.ensemble.ingress;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chat routes of a fixed path ({@code POST /v1/chat/completions}, {@code /v1/messages}, {@code /v1/responses})
 * served in one router step. The router would match and dispatch one route per step of such a request — the query
 * check, {@code /v1/*} twice (the node's lifecycle, the client key), then the chat route (its body, its handler);
 * here the router's first route runs the same steps in plain code, each handing the request to the next. The steps,
 * their order, their answers and failures ({@code ctx.fail}, handled by the router's failure handler as before) are
 * the routes' own, and each step reports its route to the HTTP server's metrics as the router did, so the
 * {@code route} tag of {@code vertx_http_server_*} is unchanged ({@code /v1/>/v1/>/v1/chat/completions}; {@code /v1/}
 * for a request the lifecycle refused, {@code /v1/>/v1/} for one the client key refused). Every other request goes on
 * through the router, where the same steps are mounted as routes.
 * Immutable once built; runs on the request's event loop.
 */
final class DirectChatRoutes {

  /** A step of prefix routes ({@code /v1/*}): runs on a request under {@code prefix}, then hands it to {@code then}. */
  @FunctionalInterface
  interface Step {
    void run(RoutingContext ctx, Handler<RoutingContext> then);
  }

  /** A prefix route's step as the router mounts it: {@code route(prefix + "*")}, named {@code prefix} in the metrics. */
  record PrefixStep(String prefix, Step step) {
  }

  private final Map<String, Handler<RoutingContext>> byPath = new HashMap<>();

  /**
   * Serves {@code POST path} as the router would: each of {@code prefixSteps} whose prefix the path starts with (in
   * their order), then the route of {@code path} itself: {@code body}, then {@code handler}.
   */
  void add(String path, List<PrefixStep> prefixSteps, JsonBodyReader body, Handler<RoutingContext> handler) {
    Handler<RoutingContext> chain = ctx -> {
      ctx.request().routed(path);
      body.read(ctx, handler);
    };
    for (int i = prefixSteps.size() - 1; i >= 0; i--) {
      PrefixStep prefixed = prefixSteps.get(i);
      if (path.startsWith(prefixed.prefix())) {
        Handler<RoutingContext> next = chain;
        chain = ctx -> {
          ctx.request().routed(prefixed.prefix());
          prefixed.step().run(ctx, next);
        };
      }
    }
    byPath.put(path, chain);
  }

  /**
   * The steps of the chat route {@code ctx} is for, or null when it is for none of them. Matched as the router matches
   * an exact path: on the normalised path, a final slash ignored.
   */
  Handler<RoutingContext> of(RoutingContext ctx) {
    if (ctx.request().method() != HttpMethod.POST) {
      return null;
    }
    String path = ctx.normalizedPath();
    Handler<RoutingContext> chain = byPath.get(path);
    if (chain == null && path.length() > 1 && path.charAt(path.length() - 1) == '/') {
      chain = byPath.get(path.substring(0, path.length() - 1));
    }
    return chain;
  }
}
