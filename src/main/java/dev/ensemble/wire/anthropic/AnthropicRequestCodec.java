package dev.ensemble.wire.anthropic;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.json.JsonObject;

/**
 * The Anthropic Messages request format, both ways: a client's request into the unified model, and a
 * unified request into an upstream Anthropic request. Stateless and thread-safe.
 *
 * <p>Upstream encoding, where the unified request does not say what Anthropic requires:
 * <ul>
 *   <li>{@code max_tokens} is {@link #DEFAULT_MAX_TOKENS} when the client (e.g. an OpenAI-format one) set none.</li>
 *   <li>An OpenAI-style reasoning effort becomes a thinking budget: minimal/low {@value #LOW_EFFORT_BUDGET},
 *       medium {@value #MEDIUM_EFFORT_BUDGET}, high {@value #HIGH_EFFORT_BUDGET} tokens; if that budget does not
 *       fit under {@code max_tokens}, {@code max_tokens} becomes budget + the client's cap. An explicit budget of 0
 *       is no thinking, -1 (the model decides) the medium budget, and one under {@value #MIN_THINKING_BUDGET} is
 *       raised to it (both then count as derived).</li>
 *   <li>Consecutive same-role messages are merged and unsigned thinking dropped (see {@link TurnMerger}).</li>
 *   <li>Tool-use input that is not a JSON object is sent as {@code {}}.</li>
 *   <li>{@code tool_choice} is sent only with tools; {@code response_format} is not sent.</li>
 * </ul>
 */
public final class AnthropicRequestCodec {

  /** The output cap sent when the client set none. */
  public static final int DEFAULT_MAX_TOKENS = 4096;
  /** Anthropic's smallest thinking budget: a smaller one asked for (e.g. by a Gemini client) is raised to it. */
  public static final int MIN_THINKING_BUDGET = 1024;
  public static final int LOW_EFFORT_BUDGET = 1024;
  public static final int MEDIUM_EFFORT_BUDGET = 8192;
  public static final int HIGH_EFFORT_BUDGET = 24576;

  private final RequestDecoder decoder = new RequestDecoder();
  private final RequestEncoder encoder = new RequestEncoder();

  /**
   * Decodes a client's Anthropic Messages request.
   *
   * @throws GatewayError a 400 naming the offending field when the body is not a valid request
   */
  public UnifiedRequest decode(JsonObject body) {
    if (body == null) {
      throw GatewayError.invalid(null, "request body must be a JSON object");
    }
    return decoder.decode(body);
  }

  /**
   * Decodes a client's {@code POST /v1/messages/count_tokens} body: a Messages request without {@code max_tokens}
   * (and {@code stream}), which that endpoint does not take; {@code max_tokens} only bounds an answer, so the prompt
   * counted is the same.
   *
   * @throws GatewayError a 400 naming the offending field when the body is not a valid request
   */
  public UnifiedRequest decodeTokenCount(JsonObject body) {
    if (body == null) {
      throw GatewayError.invalid(null, "request body must be a JSON object");
    }
    JsonObject asMessage = body.copy();
    asMessage.remove("stream");
    if (asMessage.getValue("max_tokens") == null) {
      asMessage.put("max_tokens", DEFAULT_MAX_TOKENS);
    }
    return decoder.decode(asMessage);
  }

  /** Encodes {@code req} as an upstream Anthropic request for {@code upstreamModel}. */
  public JsonObject encode(UnifiedRequest req, String upstreamModel) {
    return encoder.encode(req, upstreamModel);
  }
}
