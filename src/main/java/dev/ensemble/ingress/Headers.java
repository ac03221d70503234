package dev.ensemble.ingress;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.HttpHeaders;

/** Names of the headers Ensemble reads from clients and adds to every proxied response. */
final class Headers {

  static final String REQUEST_ID = "X-Ensemble-Request-Id";
  static final String PROVIDER = "X-Ensemble-Provider";
  static final String ENDPOINT = "X-Ensemble-Endpoint";
  static final String ROUTE_REASON = "X-Ensemble-Route-Reason";
  static final String ATTEMPTS = "X-Ensemble-Attempts";
  /**
   * Names read from requests are lower-case {@code AsciiString}s: an HTTP/1.x request's headers are found by them
   * whatever the case, an HTTP/2 request's (lower-case on the wire) without Vert.x lower-casing a copy of the name.
   */
  static final CharSequence SESSION = HttpHeaders.createOptimized("x-ensemble-session");
  static final String CACHE_STATUS = "X-Cache-Status";
  static final String CACHE_AGE = "Age";
  static final String CACHE_SIMILARITY = "X-Cache-Similarity";
  static final CharSequence CACHE_CONTROL = HttpHeaders.CACHE_CONTROL;

  /**
   * The names of the headers every proxied response carries, as they go on one protocol's wire, each made once:
   * spelled as above on HTTP/1.x, lower-case on HTTP/2 (which allows only lower-case names). Given a {@code String},
   * or a name with capitals, Vert.x copies the name into a lower-case {@code String} on every HTTP/2 response, and
   * Netty's header map and HPACK encoder hash that copy char by char; a lower-case {@code AsciiString} made once is
   * taken as it is, its bytes copied and its hash kept.
   */
  record Names(CharSequence requestId, CharSequence provider, CharSequence endpoint, CharSequence routeReason,
      CharSequence attempts) {

    static final Names HTTP_1 = of(false);
    static final Names HTTP_2 = of(true);

    /** The names for {@code request}'s protocol. */
    static Names of(HttpServerRequest request) {
      return request.version() == HttpVersion.HTTP_2 ? HTTP_2 : HTTP_1;
    }

    private static Names of(boolean lowerCase) {
      return new Names(name(REQUEST_ID, lowerCase), name(PROVIDER, lowerCase), name(ENDPOINT, lowerCase),
          name(ROUTE_REASON, lowerCase), name(ATTEMPTS, lowerCase));
    }

    private static CharSequence name(String name, boolean lowerCase) {
      return HttpHeaders.createOptimized(lowerCase ? name.toLowerCase(java.util.Locale.ROOT) : name);
    }
  }

  private Headers() {
  }
}
