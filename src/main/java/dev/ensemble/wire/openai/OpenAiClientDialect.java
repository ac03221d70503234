package dev.ensemble.wire.openai;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The OpenAI Chat Completions client format ({@code POST /v1/chat/completions}). Stateless and thread-safe. */
public final class OpenAiClientDialect implements ClientDialect {

  private final OpenAiRequestCodec requests = new OpenAiRequestCodec();
  private final OpenAiResponseCodec responses = new OpenAiResponseCodec();
  private final OpenAiErrors errors = new OpenAiErrors();

  @Override
  public String name() {
    return "openai";
  }

  @Override
  public List<String> chatPaths() {
    return List.of("/v1/chat/completions");
  }

  /** Every path no other format claims is OpenAI's (the default dialect). */
  @Override
  public boolean owns(String path) {
    return path.startsWith("/v1/chat/");
  }

  @Override
  public UnifiedRequest decodeRequest(JsonObject body) {
    return requests.decode(body);
  }

  @Override
  public JsonObject encodeResponse(UnifiedResponse response, ResponseContext context) {
    return responses.encode(response, context);
  }

  @Override
  public StreamEncoder newStreamEncoder(UnifiedRequest request, ResponseContext context) {
    return new OpenAiStreamEncoder(context, request.includeUsage(), errors);
  }

  @Override
  public JsonObject encodeError(GatewayError error) {
    return errors.encode(error);
  }
}
