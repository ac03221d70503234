package dev.ensemble.model;

import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * A request that an upstream speaking the client's own wire format takes as the client sent it, because the unified
 * request cannot carry all of it (the OpenAI Responses API's built-in tools, stored prompts, encrypted reasoning, ...).
 * Routing keeps only the targets whose adapter takes it when it is {@linkplain #required() required}; an adapter that
 * takes it sends {@code body} (the model renamed), any other adapter sends the unified request.
 *
 * @param format     the client format the body is in ({@code responses})
 * @param body       the client's body as the upstream should get it (the adapter only renames the model); not shared
 * @param requiredBy the path of the first field only such an upstream can serve, or null when passing through is only
 *                   preferred (the unified request is a sound rendering of it for other targets)
 * @param reason     why {@code requiredBy} needs it, for the 400 when no target of the model can take it; null when not required
 */
public record Passthrough(String format, JsonObject body, String requiredBy, String reason) {

  public Passthrough {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(body, "body");
  }

  public boolean required() {
    return requiredBy != null;
  }

  /** The 400 for a model none of whose targets can take this request as is. */
  public GatewayError refusal(String model, String servedBy) {
    return GatewayError.invalid(requiredBy, reason + "; model '" + model + "' is served by " + servedBy
        + ", none of which takes the OpenAI Responses API as is");
  }
}
