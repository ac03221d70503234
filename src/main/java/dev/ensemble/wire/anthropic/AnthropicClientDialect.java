package dev.ensemble.wire.anthropic;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamBody;
import dev.ensemble.wire.BodySplice;
import dev.ensemble.wire.ClientDialect;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;

/** The Anthropic Messages API as clients speak it on {@code POST /v1/messages}. Stateless and thread-safe. */
public final class AnthropicClientDialect implements ClientDialect {

  private final AnthropicRequestCodec requests = new AnthropicRequestCodec();
  private final AnthropicResponseCodec responses = new AnthropicResponseCodec();
  private final AnthropicErrors errors = new AnthropicErrors();

  @Override
  public String name() {
    return "anthropic";
  }

  @Override
  public List<String> chatPaths() {
    return List.of("/v1/messages");
  }

  @Override
  public boolean owns(String path) {
    return path.startsWith("/v1/messages");
  }

  /** Also the model catalog ({@code /v1/models}, {@code /v1/models/{id}}) when {@code anthropic-version} is sent, as Anthropic's SDKs do. */
  @Override
  public boolean owns(String path, MultiMap headers) {
    return owns(path) || (path.equals("/v1/models") || path.startsWith("/v1/models/")) && headers.contains("anthropic-version");
  }

  @Override
  public String keyHint() {
    return "Authorization: Bearer <key> or x-api-key: <key>";
  }

  /** {@code x-api-key} (Anthropic's SDKs), which wins over {@code Authorization: Bearer}. */
  @Override
  public String presentedKey(MultiMap headers, MultiMap params) {
    String apiKey = ClientDialect.header(headers, "x-api-key");
    return apiKey != null ? apiKey : ClientDialect.bearer(headers);
  }

  @Override
  public UnifiedRequest decodeRequest(JsonObject body) {
    return requests.decode(body);
  }

  /** {@code POST /v1/messages/count_tokens}, answered {@code {"input_tokens": n}} (the default encoding). */
  @Override
  public String tokenCountPathRegex() {
    return "/v1/messages/count_tokens";
  }

  @Override
  public UnifiedRequest decodeTokenCount(JsonObject body, MultiMap params) {
    return requests.decodeTokenCount(body);
  }

  @Override
  public JsonObject encodeResponse(UnifiedResponse response, ResponseContext context) {
    return responses.encode(response, context);
  }

  /**
   * The upstream's own body when it is an Anthropic message: with the gateway's id ({@code msg_<request id>}), the
   * client's model name spliced in.
   */
  @Override
  public Buffer passThrough(UnifiedResponse response, ResponseContext context) {
    UpstreamBody body = response.upstreamBody();
    if (body == null || !"anthropic".equals(body.format()) || !body.spliceable(false)) {
      return null;
    }
    return BodySplice.splice(body, BodySplice.string("msg_" + context.requestId()), BodySplice.string(context.model()),
        null);
  }

  @Override
  public StreamEncoder newStreamEncoder(UnifiedRequest request, ResponseContext context) {
    return new AnthropicStreamEncoder(context, errors);
  }

  @Override
  public JsonObject encodeError(GatewayError error) {
    return errors.encode(error);
  }
}
