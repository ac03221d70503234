package dev.ensemble.wire.responses;

import dev.ensemble.model.Passthrough;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What in one Responses API request only OpenAI's own Responses API can serve, collected while the request is decoded.
 * A <em>required</em> field (a built-in tool, {@code background}, a stored {@code prompt}, a {@code conversation}, an
 * {@code item_reference}, an uploaded file's {@code file_id}, a built-in tool's items, an {@code include} other than
 * encrypted reasoning) can only go to such an upstream: the first one found is named in the 400 when the model has
 * none. A <em>preferred</em> one (custom tools, encrypted reasoning asked for or sent back) goes there as is when the
 * target is one, and in its unified form ({@link CustomTools}, {@link EncryptedReasoning}) elsewhere. Used by one
 * decoding, on one thread.
 */
final class NativeNeeds {

  static final String FORMAT = "responses";

  private String requiredBy;
  private String reason;
  private boolean preferred;

  /** Only a Responses API upstream can serve the field at {@code path}, because {@code why}. */
  void require(String path, String why) {
    if (requiredBy == null) {
      requiredBy = path;
      reason = why;
    }
  }

  /** A Responses API upstream serves the request better; the unified form is sound elsewhere. */
  void prefer() {
    preferred = true;
  }

  boolean required() {
    return requiredBy != null;
  }

  /**
   * The passthrough of {@code body}, or null when nothing calls for one: its input items are {@code input} (the
   * body's own, or the whole history when the call continues a stored response) without Ensemble's reasoning items.
   */
  Passthrough passthrough(JsonObject body, JsonArray input) {
    if (requiredBy == null && !preferred) {
      return null;
    }
    JsonObject upstream = body.copy();
    upstream.remove("previous_response_id");
    if (upstream.getValue("input") instanceof JsonArray) {
      upstream.put("input", withoutEnsembleReasoning(input));
    }
    return new Passthrough(FORMAT, upstream, requiredBy, reason);
  }

  /** The input without the reasoning items Ensemble minted (an OpenAI upstream cannot read them; they are for other targets). */
  private static JsonArray withoutEnsembleReasoning(JsonArray input) {
    JsonArray out = new JsonArray();
    for (Object item : input) {
      if (item instanceof JsonObject o && "reasoning".equals(o.getValue("type")) && o.getValue("encrypted_content") instanceof String c
          && c.startsWith(EncryptedReasoning.PREFIX)) {
        continue;
      }
      out.add(item);
    }
    return out;
  }
}
