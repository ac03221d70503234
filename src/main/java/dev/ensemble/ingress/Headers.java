package dev.ensemble.ingress;

/** Names of the headers Ensemble reads from clients and adds to every proxied response. */
final class Headers {

  static final String REQUEST_ID = "X-Ensemble-Request-Id";
  static final String PROVIDER = "X-Ensemble-Provider";
  static final String ENDPOINT = "X-Ensemble-Endpoint";
  static final String ROUTE_REASON = "X-Ensemble-Route-Reason";
  static final String ATTEMPTS = "X-Ensemble-Attempts";
  static final String SESSION = "X-Ensemble-Session";
  static final String CACHE_STATUS = "X-Cache-Status";
  static final String CACHE_AGE = "Age";
  static final String CACHE_SIMILARITY = "X-Cache-Similarity";
  static final String CACHE_CONTROL = "Cache-Control";

  private Headers() {
  }
}
