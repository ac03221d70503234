package dev.ensemble.wire.openai;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamBody;
import dev.ensemble.wire.BodySplice;
import dev.ensemble.wire.ClientCall;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.util.List;

/** The OpenAI Chat Completions client format ({@code POST /v1/chat/completions}). Stateless and thread-safe. */
public final class OpenAiClientDialect implements ClientDialect {

  private final OpenAiRequestCodec requests = new OpenAiRequestCodec();
  private final OpenAiResponseCodec responses = new OpenAiResponseCodec();
  private final CompletionWriter writer = new CompletionWriter();
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
  public ClientCall decodePlain(byte[] body) {
    UnifiedRequest request = requests.decodePlain(body);
    return request == null ? null : ClientCall.of(request);
  }

  @Override
  public JsonObject encodeResponse(UnifiedResponse response, ResponseContext context) {
    return responses.encode(response, context);
  }

  @Override
  public void writeResponse(UnifiedResponse response, ResponseContext context, JsonGenerator g) throws IOException {
    writer.write(response, context, g);
  }

  /**
   * The upstream's own body when it is an OpenAI chat completion: with the gateway's id ({@code chatcmpl-<request id>}), the
   * client's model name and the gateway's creation time spliced in.
   */
  @Override
  public Buffer passThrough(UnifiedResponse response, ResponseContext context) {
    UpstreamBody body = response.upstreamBody();
    if (body == null || !"openai".equals(body.format()) || !body.spliceable(true)) {
      return null;
    }
    return BodySplice.splice(body, BodySplice.string("chatcmpl-" + context.requestId()), BodySplice.string(context.model()),
        BodySplice.number(context.createdEpochSeconds()));
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
