package dev.ensemble.wire.openai;

import static dev.ensemble.wire.openai.JsonFields.optArray;
import static dev.ensemble.wire.openai.JsonFields.optBoolean;
import static dev.ensemble.wire.openai.JsonFields.optInteger;
import static dev.ensemble.wire.openai.JsonFields.optNumber;
import static dev.ensemble.wire.openai.JsonFields.optObject;
import static dev.ensemble.wire.openai.JsonFields.optString;
import static dev.ensemble.wire.openai.JsonFields.path;
import static dev.ensemble.wire.openai.JsonFields.requireNonEmptyString;

import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UnifiedRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * OpenAI Chat Completions requests, both ways: {@link #decode} reads what a client sent (strictly, with a
 * 400 naming the field at fault; unknown top-level fields are ignored because SDKs send extras), and
 * {@link #encode} writes the request for an OpenAI-format upstream, byte-stable for a given input.
 * Stateless and thread-safe.
 */
public final class OpenAiRequestCodec {

  private final UpstreamRequestEncoder encoder = new UpstreamRequestEncoder();

  /** A client's chat request as a unified request. */
  public UnifiedRequest decode(JsonObject body) {
    if (body == null) {
      throw GatewayError.invalid(null, "request body must be a JSON object");
    }
    UnifiedRequest.Builder builder = UnifiedRequest.builder(requireNonEmptyString(body, "model", null));
    JsonArray messages = optArray(body, "messages", null);
    if (messages == null || messages.isEmpty()) {
      throw GatewayError.invalid("messages", messages == null ? "is required" : "must not be empty");
    }
    MessageListDecoder.decode(messages, builder);
    ToolDecoder.decode(body, builder);
    Integer n = optInteger(body, "n", null);
    if (n != null && n < 1) {
      throw GatewayError.invalid("n", "must be at least 1, got " + n);
    }
    if (n != null && n > 1) {
      throw GatewayError.invalid("n", "n > 1 is not supported");
    }
    builder.maxTokens(maxTokens(body))
        .temperature(optNumber(body, "temperature", null, 0, 2))
        .topP(optNumber(body, "top_p", null, 0, 1))
        .user(optString(body, "user", null))
        .responseFormat(optObject(body, "response_format", null));
    stop(body, builder);
    String effort = optString(body, "reasoning_effort", null);
    if (effort != null) {
      builder.reasoning(new UnifiedRequest.Reasoning(null, effort));
    }
    boolean stream = Boolean.TRUE.equals(optBoolean(body, "stream", null));
    JsonObject streamOptions = optObject(body, "stream_options", null);
    boolean includeUsage = streamOptions != null
        && Boolean.TRUE.equals(optBoolean(streamOptions, "include_usage", "stream_options"));
    return builder.stream(stream).includeUsage(stream && includeUsage).build();
  }

  /**
   * A client's chat request read straight from its bytes when it is a plain one ({@link PlainRequestReader}), with
   * the bytes kept for an OpenAI-format upstream; null for any other body, which {@link #decode} reads from its tree.
   */
  public UnifiedRequest decodePlain(byte[] body) {
    return PlainRequestReader.read(body);
  }

  /**
   * The upstream body for an OpenAI-compatible upstream with {@code options}: the client's own bytes with what the
   * encoder would change spliced in ({@link RequestSplice}) when the request still has them, else the encoded request.
   */
  public Buffer upstreamBody(UnifiedRequest request, String upstreamModel, UpstreamOptions options) {
    if (request.clientBody() != null) {
      Buffer spliced = RequestSplice.splice(request.clientBody(), request.stream(), upstreamModel, options);
      if (spliced != null) {
        return spliced;
      }
    }
    return encode(request, upstreamModel, options).toBuffer();
  }

  /** The request for OpenAI's own API, naming {@code upstreamModel}. */
  public JsonObject encode(UnifiedRequest request, String upstreamModel) {
    return encode(request, upstreamModel, UpstreamOptions.OPENAI);
  }

  /** The request for an OpenAI-compatible upstream with {@code options}, naming {@code upstreamModel}. */
  public JsonObject encode(UnifiedRequest request, String upstreamModel, UpstreamOptions options) {
    return encoder.encode(request, upstreamModel, options);
  }

  private static Integer maxTokens(JsonObject body) {
    String field = body.getValue("max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
    Integer value = optInteger(body, field, null);
    if (value != null && value <= 0) {
      throw GatewayError.invalid(field, "must be greater than 0");
    }
    return value;
  }

  private static void stop(JsonObject body, UnifiedRequest.Builder builder) {
    Object stop = body.getValue("stop");
    if (stop == null) {
      return;
    }
    if (stop instanceof String s) {
      builder.stop(s);
      return;
    }
    if (!(stop instanceof JsonArray sequences)) {
      throw GatewayError.invalid("stop", "must be a string or an array of strings");
    }
    for (int i = 0; i < sequences.size(); i++) {
      if (!(sequences.getValue(i) instanceof String s)) {
        throw GatewayError.invalid(path("stop", i), "must be a string");
      }
      builder.stop(s);
    }
  }
}
