package dev.ensemble.ingress;

import dev.ensemble.config.RouteConfig;
import dev.ensemble.model.GatewayError;
import dev.ensemble.routing.RoutingHints;
import dev.ensemble.routing.Selection;

import java.util.List;
import java.util.function.BiFunction;

/**
 * Where a request starts: its model's first routing decision or, on a workflow route whose model cannot be routed
 * now (every endpoint at its rate limit, cooling down or unhealthy: a retryable refusal), the first model of the
 * route's {@code fallback} chain that can, with the chain's rest left for failover and the route reason
 * {@code fallback:<status>}. A request that no model of its chain can take gets its own model's refusal.
 *
 * @param model     the model the request starts on
 * @param fallbacks what remains of the route's chain after {@code model}
 * @param hints     the routing hints, marked as a fallback when the route's own model was skipped
 * @param selection the first attempt's provider and endpoint
 */
record RouteStart(String model, List<String> fallbacks, RoutingHints hints, Selection selection) {

  /**
   * @param decide the router's decision for a model under the given hints; throws a {@link GatewayError} when no
   *               provider can take it
   */
  static RouteStart of(RouteConfig route, String model, RoutingHints hints, BiFunction<String, RoutingHints, Selection> decide) {
    List<String> chain = route == null ? List.of() : route.fallback();
    try {
      return new RouteStart(model, chain, hints, decide.apply(model, hints));
    } catch (GatewayError refused) {
      if (!refused.retryable() || chain.isEmpty()) {
        throw refused;
      }
      RoutingHints skipped = hints.because("fallback:" + refused.status());
      for (int i = 0; i < chain.size(); i++) {
        try {
          return new RouteStart(chain.get(i), chain.subList(i + 1, chain.size()), skipped, decide.apply(chain.get(i), skipped));
        } catch (GatewayError next) {
          // this fallback cannot take it either: the next one
        }
      }
      throw refused;
    }
  }
}
