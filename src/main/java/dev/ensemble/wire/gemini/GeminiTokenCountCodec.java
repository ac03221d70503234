package dev.ensemble.wire.gemini;

import dev.ensemble.model.TokenCount;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Google's {@code countTokens}, as an upstream call and as the answer clients get. The Gemini API takes
 * {@code {"generateContentRequest": {model, contents, systemInstruction, tools, ...}}} (so the system instruction and
 * tools are counted too); Vertex AI takes {@code contents}, {@code systemInstruction}, {@code tools} and
 * {@code generationConfig} at the top level and nothing else. Both answer {@code {totalTokens,
 * cachedContentTokenCount?, promptTokensDetails?: [{modality, tokenCount}]}}, zero counts left out as protobuf JSON
 * does. Stateless and thread-safe.
 */
public final class GeminiTokenCountCodec {

  private static final java.util.Set<String> VERTEX_FIELDS = java.util.Set.of("contents", "systemInstruction", "tools", "generationConfig");

  private final GeminiRequestCodec requests = new GeminiRequestCodec();

  /** The Gemini API's body for {@code models/<model>:countTokens}; {@code resource} is the model's resource name. */
  public JsonObject encodeGeminiRequest(UnifiedRequest request, String upstreamModel, String resource) {
    JsonObject generate = new JsonObject().put("model", resource);
    requests.encode(request, upstreamModel).forEach(field -> generate.put(field.getKey(), field.getValue()));
    return new JsonObject().put("generateContentRequest", generate);
  }

  /** Vertex AI's body for {@code publishers/google/models/<model>:countTokens}. */
  public JsonObject encodeVertexRequest(UnifiedRequest request, String upstreamModel) {
    JsonObject body = new JsonObject();
    requests.encode(request, upstreamModel).forEach(field -> {
      if (VERTEX_FIELDS.contains(field.getKey())) {
        body.put(field.getKey(), field.getValue());
      }
    });
    return body;
  }

  /**
   * An upstream's count.
   *
   * @throws UpstreamProtocolException when a field has the wrong type
   */
  public TokenCount decodeResponse(JsonObject body) {
    Long total = UpstreamJson.number(body, "totalTokens");
    Long cached = UpstreamJson.number(body, "cachedContentTokenCount");
    Map<String, Long> byModality = new LinkedHashMap<>();
    JsonArray details = UpstreamJson.array(body, "promptTokensDetails");
    for (int i = 0; details != null && i < details.size(); i++) {
      JsonObject detail = UpstreamJson.objectAt(details, i, "promptTokensDetails");
      String modality = UpstreamJson.string(detail, "modality");
      Long count = UpstreamJson.number(detail, "tokenCount");
      byModality.merge(modality == null ? "MODALITY_UNSPECIFIED" : modality, count == null ? 0L : count, Long::sum);
    }
    return new TokenCount(total == null ? 0L : total, cached, byModality, false);
  }

  /** A count as a client's {@code CountTokensResponse}. */
  public JsonObject encodeResponse(TokenCount count) {
    JsonObject body = new JsonObject().put("totalTokens", count.totalTokens());
    if (count.cachedTokens() != null && count.cachedTokens() > 0) {
      body.put("cachedContentTokenCount", count.cachedTokens());
    }
    if (!count.byModality().isEmpty()) {
      JsonArray details = new JsonArray();
      count.byModality().forEach((modality, tokens) -> details.add(new JsonObject().put("modality", modality).put("tokenCount", tokens)));
      body.put("promptTokensDetails", details);
    }
    return body;
  }
}
