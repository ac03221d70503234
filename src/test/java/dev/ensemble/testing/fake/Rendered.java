package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What a route decided to send: a whole body, or a list of SSE events written one by one. */
record Rendered(int status, MultiMap headers, Buffer body, List<Buffer> events) {

  static Rendered json(int status, MultiMap headers, JsonObject body) {
    headers.set("content-type", "application/json");
    return new Rendered(status, headers, body.toBuffer(), null);
  }

  static Rendered stream(MultiMap headers, List<Buffer> events) {
    headers.set("content-type", "text/event-stream; charset=utf-8");
    headers.set("cache-control", "no-cache");
    return new Rendered(200, headers, null, List.copyOf(events));
  }

  static Rendered raw(int status, MultiMap headers, String contentType, String body) {
    if (contentType != null) {
      headers.set("content-type", contentType);
    }
    return new Rendered(status, headers, Buffer.buffer(body == null ? "" : body), null);
  }

  boolean streamed() {
    return events != null;
  }
}
