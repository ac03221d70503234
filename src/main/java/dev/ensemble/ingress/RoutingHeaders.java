package dev.ensemble.ingress;

import dev.ensemble.routing.RoutingDecision;
import io.netty.util.AsciiString;
import io.vertx.core.http.HttpServerResponse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Puts the routing headers every proxied response carries ({@code X-Ensemble-Provider}, {@code -Endpoint},
 * {@code -Route-Reason}, {@code -Attempts}) on a response: names for its protocol ({@link Headers.Names}), values made
 * once as {@code AsciiString}s. A decision's values are the same few strings request after request (a provider's name,
 * an endpoint's id, a reason), and a {@code String} value costs on every response what an {@code AsciiString} made once
 * costs once: on an HTTP/2 stream Vert.x validates it and the HPACK encoder hashes it char by char and compares it char
 * by char against the connection's dynamic table (the value found there is then the same instance, compared by
 * reference); on HTTP/1.x its bytes are copied instead of encoded char by char.
 *
 * <p>One per ingress instance (its router's handlers share it). The map holds at most {@value #MAX_VALUES} values (the
 * configured providers, endpoints and reasons are far fewer); past that, or for a value that is not plain ASCII, the
 * {@code String} is put as it is. The map is concurrent: filled on whichever event loop first meets a value.
 */
final class RoutingHeaders {

  static final int MAX_VALUES = 1024;
  private static final CharSequence[] COUNTS = new CharSequence[16];

  static {
    for (int i = 0; i < COUNTS.length; i++) {
      COUNTS[i] = AsciiString.cached(Integer.toString(i));
    }
  }

  private final Map<String, CharSequence> values = new ConcurrentHashMap<>();

  /** Puts the headers naming where {@code decision} sent the request, after {@code attempts} attempts. */
  void put(HttpServerResponse response, Headers.Names names, RoutingDecision decision, int attempts) {
    response.putHeader(names.provider(), value(decision.provider()))
        .putHeader(names.endpoint(), value(decision.endpointId()))
        .putHeader(names.routeReason(), value(decision.reason()))
        .putHeader(names.attempts(), count(attempts));
  }

  /** {@code value} as an {@code AsciiString} made once, or {@code value} itself when it is not plain ASCII or the map is full. */
  CharSequence value(String value) {
    if (value == null) {
      return null;
    }
    CharSequence made = values.get(value);
    if (made != null) {
      return made;
    }
    if (values.size() >= MAX_VALUES || !ascii(value)) {
      return value;
    }
    return values.computeIfAbsent(value, AsciiString::cached);
  }

  static CharSequence count(int n) {
    return n >= 0 && n < COUNTS.length ? COUNTS[n] : Integer.toString(n);
  }

  private static boolean ascii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
