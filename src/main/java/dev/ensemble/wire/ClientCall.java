package dev.ensemble.wire;

import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * One decoded client request: the unified request plus what the gateway itself must do with it beyond routing
 * the prompt. Immutable.
 *
 * @param request       the unified request (for a continued conversation: the new input only, until
 *                      {@link ClientDialect#continueFrom} prepends the stored history)
 * @param sessionKey    the session key the body names (Responses API {@code prompt_cache_key}), used for cache
 *                      affinity like {@code X-Ensemble-Session} (the header wins); null when none
 * @param continuesFrom the id of an earlier stored response this request continues ({@code previous_response_id}), or null
 * @param store         whether the answer is persisted ({@code store: false} keeps nothing but the ledger row)
 * @param echo          request fields the format repeats when rendering the answer (e.g. the Responses API's
 *                      {@code instructions}, {@code tools}, {@code metadata}; Gemini's stream framing); never null
 */
public record ClientCall(UnifiedRequest request, String sessionKey, String continuesFrom, boolean store, JsonObject echo) {

  public ClientCall {
    Objects.requireNonNull(request, "request");
    echo = echo == null ? new JsonObject() : echo;
  }

  /** A plain request: no session key, no continuation, stored. */
  public static ClientCall of(UnifiedRequest request) {
    return new ClientCall(request, null, null, true, new JsonObject());
  }

  public ClientCall withRequest(UnifiedRequest replaced) {
    return new ClientCall(replaced, sessionKey, continuesFrom, store, echo);
  }
}
