package dev.ensemble.wire;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import io.vertx.core.json.JsonObject;

/**
 * One client-facing API format (OpenAI Chat Completions, Anthropic Messages): decodes what a client sends
 * and renders what it gets back, including errors. Stateless and thread-safe.
 */
public interface ClientDialect {

  /** The format's name as persisted with a response: {@code openai} or {@code anthropic}. */
  String name();

  /** Decodes a request body; throws a 400 {@link GatewayError} naming the offending field on bad input. */
  UnifiedRequest decodeRequest(JsonObject body);

  /** Renders a complete answer in this format. */
  JsonObject encodeResponse(UnifiedResponse response, ResponseContext context);

  /** A fresh encoder for one streamed answer to {@code request}. */
  StreamEncoder newStreamEncoder(UnifiedRequest request, ResponseContext context);

  /** The error body in this format ({@code {"error":{...}}} or {@code {"type":"error","error":{...}}}). */
  JsonObject encodeError(GatewayError error);
}
