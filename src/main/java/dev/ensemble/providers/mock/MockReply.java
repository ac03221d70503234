package dev.ensemble.providers.mock;

import io.vertx.core.json.JsonObject;

/** A non-streamed answer of the mock: its status and its JSON body (an OpenAI error body when not 200). */
record MockReply(int status, JsonObject body) {

  static MockReply ok(JsonObject body) {
    return new MockReply(200, body);
  }

  static MockReply error(int status, String type, String message) {
    return new MockReply(status, new JsonObject().put("error", new JsonObject().put("message", message).put("type", type)
        .put("param", null).put("code", null)));
  }
}
