package dev.ensemble.providers.bedrock;

import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.providers.ModelIds;
import dev.ensemble.providers.ProviderAdapter;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.providers.anthropic.AnthropicAdapter;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicRequestCodec;
import dev.ensemble.wire.anthropic.AnthropicStreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Claude on Amazon Bedrock through {@code InvokeModel} / {@code InvokeModelWithResponseStream} with Anthropic's
 * Messages body. Chosen over Converse because the body is Anthropic's own: {@code cache_control} breakpoints,
 * thinking with signatures and {@code tool_use} ids travel byte for byte, the answer and its stream events are
 * Anthropic's (with {@code cache_read_input_tokens} / {@code cache_creation_input_tokens}), so the Anthropic
 * codec, stream decoder and usage rules are reused unchanged instead of a second lossy mapping.
 *
 * <p>The body is the Anthropic Messages request with {@code "anthropic_version": "bedrock-2023-05-31"} first and
 * without {@code model} (it is in the path), {@code stream} (the operation says it) and {@code metadata} (Bedrock
 * rejects keys it does not know). The call's path is Bedrock's REST path, {@code /model/{modelId}/invoke} or
 * {@code /model/{modelId}/invoke-with-response-stream}, the model id percent-encoded as one segment; the
 * {@link BedrockTransport} reads the model id and the operation back from it and calls the SDK. Streamed answers
 * reach {@link #newStreamDecoder()} as Anthropic SSE frames, one per Bedrock {@code chunk}.
 */
public final class BedrockAdapter implements ProviderAdapter {

  public static final String ANTHROPIC_VERSION = "bedrock-2023-05-31";
  static final String INVOKE = "invoke";
  static final String INVOKE_STREAM = "invoke-with-response-stream";
  /** Bedrock model ids ({@code anthropic.claude-sonnet-4-5-20250929-v1:0}, {@code us.anthropic...}) and ARNs (inference profiles, provisioned and custom models), as Bedrock's {@code modelId} allows: at most 2048 characters. */
  static final ModelIds IDS = new ModelIds(Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,2047}"),
      "a Bedrock model id or ARN: letters, digits, '.', '_', '-', ':' and '/'");
  private static final Set<String> NOT_SENT = Set.of("model", "stream", "metadata");

  private final AnthropicRequestCodec requests = new AnthropicRequestCodec();
  private final AnthropicAdapter anthropic = new AnthropicAdapter();
  private final BedrockErrors errors;

  public BedrockAdapter() {
    this(new BedrockErrors());
  }

  public BedrockAdapter(BedrockErrors errors) {
    this.errors = errors;
  }

  @Override
  public UpstreamCall toUpstream(UnifiedRequest request, String upstreamModel) {
    JsonObject anthropicBody = requests.encode(request, upstreamModel);
    JsonObject body = new JsonObject().put("anthropic_version", ANTHROPIC_VERSION);
    anthropicBody.forEach(field -> {
      if (!NOT_SENT.contains(field.getKey())) {
        body.put(field.getKey(), field.getValue());
      }
    });
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("content-type", "application/json")
        .add("accept", "application/json");
    return new UpstreamCall(HttpMethod.POST, path(upstreamModel, request.stream()), headers, body.toBuffer(), request.stream());
  }

  @Override
  public ModelIds modelIds() {
    return IDS;
  }

  /** {@code /model/{percent-encoded modelId}/invoke[-with-response-stream]}. */
  public static String path(String modelId, boolean stream) {
    return "/model/" + ModelIds.pathSegment(modelId) + "/" + (stream ? INVOKE_STREAM : INVOKE);
  }

  @Override
  public UnifiedResponse fromUpstream(Buffer body) {
    return anthropic.fromUpstream(body);
  }

  @Override
  public StreamDecoder newStreamDecoder() {
    return new AnthropicStreamDecoder();
  }

  @Override
  public ProviderError classify(int status, MultiMap headers, Buffer body) {
    return errors.classify(status, headers, body);
  }
}
