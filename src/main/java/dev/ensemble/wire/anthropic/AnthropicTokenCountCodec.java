package dev.ensemble.wire.anthropic;

import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

/**
 * Anthropic's {@code POST /v1/messages/count_tokens}: the Messages body cut to the fields that endpoint takes
 * ({@code model}, {@code messages}, {@code system}, {@code tools}, {@code tool_choice}, {@code thinking}; it refuses
 * {@code max_tokens}, {@code stream} and the sampling fields), answered by {@code {"input_tokens": n}}. Stateless and
 * thread-safe.
 */
public final class AnthropicTokenCountCodec {

  private static final Set<String> FIELDS = Set.of("model", "messages", "system", "tools", "tool_choice", "thinking");

  private final AnthropicRequestCodec requests = new AnthropicRequestCodec();

  /** The count-tokens body for {@code request} at {@code upstreamModel}. */
  public JsonObject encodeRequest(UnifiedRequest request, String upstreamModel) {
    JsonObject body = new JsonObject();
    for (Map.Entry<String, Object> field : requests.encode(request, upstreamModel)) {
      if (FIELDS.contains(field.getKey())) {
        body.put(field.getKey(), field.getValue());
      }
    }
    return body;
  }

  /**
   * The count in an answer.
   *
   * @throws UpstreamProtocolException when {@code input_tokens} is missing or not a number
   */
  public TokenCount decodeResponse(JsonObject body) {
    if (!(body.getValue("input_tokens") instanceof Number tokens)) {
      throw new UpstreamProtocolException("Anthropic count_tokens answer has no number 'input_tokens'");
    }
    return new TokenCount(tokens.longValue(), null, Map.of(), false);
  }
}
