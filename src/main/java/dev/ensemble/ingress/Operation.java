package dev.ensemble.ingress;

import dev.ensemble.config.ModelKind;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.Usage;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.routing.Selection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * What a non-chat request ({@code /v1/embeddings}, {@code /v1/images/generations}) does in an
 * {@link OperationExchange}: the kind of model it needs, how routing sees it, how one attempt is sent through
 * the selected provider's capability adapter, and how the answer is shown, counted and priced.
 */
interface Operation {

  /** The kind of model that serves it; providers without that capability are skipped. */
  ModelKind kind();

  /**
   * The request as routing sees it: its model and prompt text (token-id input is not counted: the reported usage
   * corrects the limits), {@code max_tokens} 0 (no generated tokens to admit).
   */
  UnifiedRequest routingView();

  /**
   * The answer the gateway makes itself at {@code selection}, sending nothing upstream (a token count the provider
   * has no call for), or null when the provider is asked.
   */
  default Answer local(Selection selection) {
    return null;
  }

  /** The same operation for another model (a workflow route's fallback). */
  Operation withModel(String model);

  /** The upstream call on the selected provider. */
  UpstreamCall toUpstream(Selection selection);

  /**
   * The client's answer from a successful upstream body.
   *
   * @throws dev.ensemble.model.UpstreamProtocolException when the body is not what the format promises
   */
  Answer decode(Selection selection, Buffer body);

  /**
   * One answer: the client's JSON body, the tokens the upstream reported, the images generated (null when the
   * operation makes none) and the cost from the catalog prices at the selected provider.
   */
  record Answer(JsonObject body, Usage usage, Integer images, BigDecimal cost) {}
}
