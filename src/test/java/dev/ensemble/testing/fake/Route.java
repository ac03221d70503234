package dev.ensemble.testing.fake;

import io.vertx.core.json.JsonObject;

/** One wire format the fake speaks: admission (auth + validation), default reply, rendering. */
interface Route {

  /** Either a rejection to send as is, or the parsed body and the caller's API key. */
  record Admission(Rendered rejection, JsonObject body, String apiKey) {

    static Admission rejected(Rendered rejection) {
      return new Admission(rejection, null, null);
    }

    static Admission accepted(JsonObject body, String apiKey) {
      return new Admission(null, body, apiKey);
    }
  }

  Admission admit(RecordedRequest request);

  /** {@code "echo: " + <text of the last user message>}. */
  Reply defaultReply(JsonObject body);

  /** Renders a CONTENT, ERROR or RAW reply for an admitted request. */
  Rendered render(Admission admitted, Reply reply);
}
