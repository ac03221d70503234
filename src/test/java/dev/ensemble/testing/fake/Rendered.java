package dev.ensemble.testing.fake;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
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

  /**
   * Exactly {@code body}; an event stream ({@code text/event-stream}) is written event by event (each up to and with
   * its blank line), as an upstream sends events as they come, so a reply's event delay and cut apply to it too.
   */
  static Rendered raw(int status, MultiMap headers, String contentType, String body) {
    if (contentType != null) {
      headers.set("content-type", contentType);
    }
    String text = body == null ? "" : body;
    if (status == 200 && contentType != null && contentType.startsWith("text/event-stream")) {
      List<Buffer> events = new ArrayList<>();
      int start = 0;
      for (int end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n", start)) {
        events.add(Buffer.buffer(text.substring(start, end + 2)));
        start = end + 2;
      }
      if (start < text.length()) {
        events.add(Buffer.buffer(text.substring(start)));
      }
      return new Rendered(status, headers, null, events);
    }
    return new Rendered(status, headers, Buffer.buffer(text), null);
  }

  boolean streamed() {
    return events != null;
  }
}
