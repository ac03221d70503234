package dev.ensemble.providers;

import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/** Reads an upstream's JSON response body, turning anything that is not a JSON object into a protocol error. */
public final class UpstreamJson {

  private UpstreamJson() {
  }

  /** {@code body} as a JSON object; {@code what} names the upstream in the error, e.g. {@code "Gemini response"}. */
  public static JsonObject object(Buffer body, String what) {
    Object parsed;
    try {
      parsed = Json.decodeValue(body);
    } catch (RuntimeException e) {
      throw new UpstreamProtocolException(what + " body is not JSON", e);
    }
    if (!(parsed instanceof JsonObject json)) {
      throw new UpstreamProtocolException(what + " body is not a JSON object");
    }
    return json;
  }
}
