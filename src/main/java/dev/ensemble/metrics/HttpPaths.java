package dev.ensemble.metrics;

/** The path of a request URI as vertx-micrometer's {@code path} label takes it: without scheme, host and query. Stateless. */
final class HttpPaths {

  private HttpPaths() {
  }

  static String of(String uri) {
    if (uri.isEmpty()) {
      return "";
    }
    int start = 0;
    if (uri.charAt(0) != '/') {
      int scheme = uri.indexOf("://");
      if (scheme >= 0) {
        start = uri.indexOf('/', scheme + 3);
        if (start < 0) {
          return "/";
        }
      }
    }
    int query = uri.indexOf('?', start);
    if (query < 0) {
      return start == 0 ? uri : uri.substring(start);
    }
    return uri.substring(start, query);
  }
}
