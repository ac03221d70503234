package dev.ensemble.providers.bedrock;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * What a {@link BedrockAdapter} call's URL asks for: {@code [endpointOverride]/model/{modelId}/invoke} or
 * {@code .../invoke-with-response-stream}. An empty override means Bedrock's regional endpoint.
 */
record InvokeTarget(String endpointOverride, String modelId, boolean stream) {

  private static final String MODEL = "/model/";

  /** @throws IllegalArgumentException when {@code url} is not such a path */
  static InvokeTarget parse(String url) {
    int at = url == null ? -1 : url.lastIndexOf(MODEL);
    int slash = at < 0 ? -1 : url.indexOf('/', at + MODEL.length());
    if (slash < 0) {
      throw new IllegalArgumentException("not a Bedrock invoke path: " + url);
    }
    String segment = url.substring(at + MODEL.length(), slash);
    String operation = url.substring(slash + 1);
    boolean stream;
    if (BedrockAdapter.INVOKE.equals(operation)) {
      stream = false;
    } else if (BedrockAdapter.INVOKE_STREAM.equals(operation)) {
      stream = true;
    } else {
      throw new IllegalArgumentException("not a Bedrock invoke operation: " + operation);
    }
    String modelId = URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    if (modelId.isBlank()) {
      throw new IllegalArgumentException("no model id in " + url);
    }
    return new InvokeTarget(url.substring(0, at), modelId, stream);
  }
}
