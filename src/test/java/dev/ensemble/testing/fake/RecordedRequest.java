package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One request as a fake upstream ({@link FakeServer}) received it, recorded before any validation.
 *
 * @param query the raw query string, or null
 * @param headers a case-insensitive copy of the request headers
 */
public record RecordedRequest(String method, String path, String query, MultiMap headers, Buffer body) {

  /** The body parsed as a JSON object (throws {@code DecodeException} if it is not one). */
  public JsonObject json() {
    return new JsonObject(body);
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return body.toString();
  }

  /** The first value of a header, or null. */
  public String header(String name) {
    return headers.get(name);
  }
}
