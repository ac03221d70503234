package dev.ensemble.providers.vertex;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Message;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicFixtures;
import dev.ensemble.wire.anthropic.AnthropicRequestCodec;
import dev.ensemble.wire.gemini.GeminiRequestCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VertexAdapterTest {

  private final VertexAdapter adapter = new VertexAdapter();

  @Test
  void claudeGoesToRawPredictOfTheAnthropicPublisher() {
    assertEquals("/v1/projects/{project}/locations/{region}/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
        VertexAdapter.path("claude-sonnet-4-5@20250929", false));
    assertEquals("/v1/projects/{project}/locations/{region}/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict",
        VertexAdapter.path("claude-sonnet-4-5@20250929", true));
  }

  @Test
  void geminiGoesToGenerateContentOfTheGooglePublisher() {
    assertEquals("/v1/projects/{project}/locations/{region}/publishers/google/models/gemini-2.5-flash:generateContent",
        VertexAdapter.path("gemini-2.5-flash", false));
    assertEquals("/v1/projects/{project}/locations/{region}/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
        VertexAdapter.path("models/gemini-2.5-flash", true));
  }

  @Test
  void claudeBodyIsTheMessagesBodyWithVertexVersionAndNoModelWithCacheControlIntact() {
    UnifiedRequest request = new AnthropicRequestCodec().decode(AnthropicFixtures.json("requests/cache-control.json"));

    UpstreamCall call = adapter.toUpstream(request, "claude-sonnet-4-5@20250929");

    assertEquals(HttpMethod.POST, call.method());
    assertTrue(call.stream());
    assertEquals("text/event-stream", call.headers().get("accept"));
    assertNull(call.headers().get("anthropic-version"));
    assertNull(call.headers().get("authorization"));
    JsonObject expected = new JsonObject().put("anthropic_version", "vertex-2023-10-16");
    AnthropicFixtures.json("requests/cache-control.upstream.json").forEach(e -> {
      if (!e.getKey().equals("model")) {
        expected.put(e.getKey(), e.getValue());
      }
    });
    assertEquals(expected.toBuffer(), call.body());
    JsonObject body = new JsonObject(call.body());
    assertEquals("anthropic_version", body.fieldNames().iterator().next());
    assertFalse(body.containsKey("model"));
    assertEquals(new JsonObject().put("type", "ephemeral").put("ttl", "1h"),
        body.getJsonArray("system").getJsonObject(1).getJsonObject("cache_control"));
  }

  @Test
  void encodingTheSameRequestTwiceGivesTheSameBytes() {
    UnifiedRequest request = new AnthropicRequestCodec().decode(AnthropicFixtures.json("requests/cache-control.json"));

    assertEquals(adapter.toUpstream(request, "claude-opus-4-5@20251101").body(), adapter.toUpstream(request, "claude-opus-4-5@20251101").body());
    assertEquals(adapter.toUpstream(request, "gemini-2.5-pro").body(), adapter.toUpstream(request, "gemini-2.5-pro").body());
  }

  @Test
  void geminiBodyIsTheGeminiApiBody() {
    UnifiedRequest request = UnifiedRequest.builder("m").message(Message.user("hi")).build();

    UpstreamCall call = adapter.toUpstream(request, "gemini-2.5-flash");

    assertFalse(call.stream());
    assertEquals("application/json", call.headers().get("accept"));
    assertEquals(new GeminiRequestCodec().encode(request, "gemini-2.5-flash").toBuffer(), call.body());
  }

  @Test
  void decodesEitherPublishersAnswerByItsShape() {
    assertEquals(StopReason.TOOL_USE, adapter.fromUpstream(Buffer.buffer(AnthropicFixtures.bytes("responses/tool-use.json"))).stopReason());
    assertEquals(StopReason.END_TURN, adapter.fromUpstream(Buffer.buffer(gemini("responses/text.json"))).stopReason());
  }

  @Test
  void decodesAnAnthropicStreamFedByteByByte() {
    List<StreamEvent> events = feedByteByByte(adapter.newStreamDecoder(), AnthropicFixtures.bytes("streams/text-and-tool-use.sse"));

    assertEquals(11, events.size());
    assertInstanceOf(StreamEvent.ResponseStart.class, events.get(0));
    assertInstanceOf(StreamEvent.ResponseEnd.class, events.get(events.size() - 1));
  }

  @Test
  void decodesAGeminiStreamFedByteByByte() {
    StreamDecoder decoder = adapter.newStreamDecoder();

    List<StreamEvent> events = feedByteByByte(decoder, gemini("streams/text.sse"));

    assertTrue(decoder.completed());
    assertInstanceOf(StreamEvent.ResponseStart.class, events.get(0));
    assertInstanceOf(StreamEvent.ResponseEnd.class, events.get(events.size() - 1));
  }

  @Test
  void anEmptyStreamIsNotCompleted() {
    StreamDecoder decoder = adapter.newStreamDecoder();

    assertEquals(List.of(), decoder.finish());
    assertFalse(decoder.completed());
  }

  @Test
  void vertexQuotaErrorsAreRateLimitsForEitherPublisher() {
    ProviderError error = adapter.classify(429, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("""
        [{"error":{"code":429,"message":"Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: anthropic-claude-sonnet-4-5.","status":"RESOURCE_EXHAUSTED"}}]"""));

    assertEquals(ErrorClass.RATE_LIMITED, error.errorClass());
    assertEquals("RESOURCE_EXHAUSTED", error.type());
  }

  @Test
  void anUnauthenticatedCallDisablesTheKey() {
    ProviderError error = adapter.classify(401, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(
        "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}"));

    assertEquals(ErrorClass.KEY_INVALID, error.errorClass());
    assertEquals(ErrorClass.KEY_INVALID, adapter.classify(403, null, Buffer.buffer(
        "{\"error\":{\"code\":403,\"message\":\"Permission 'aiplatform.endpoints.predict' denied\",\"status\":\"PERMISSION_DENIED\"}}")).errorClass());
  }

  @Test
  void claudesOwnErrorsAreReadAsAnthropicErrors() {
    ProviderError overloaded = adapter.classify(529, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(AnthropicFixtures.bytes("errors/overloaded.json")));
    ProviderError invalid = adapter.classify(400, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(AnthropicFixtures.bytes("errors/invalid-request.json")));

    assertEquals(ErrorClass.RETRYABLE, overloaded.errorClass());
    assertEquals("overloaded_error", overloaded.type());
    assertEquals(ErrorClass.PERMANENT, invalid.errorClass());
  }

  @Test
  void anEmptyErrorBodyIsClassifiedByStatus() {
    assertEquals(ErrorClass.RATE_LIMITED, adapter.classify(429, null, Buffer.buffer()).errorClass());
    assertEquals(ErrorClass.RETRYABLE, adapter.classify(503, null, null).errorClass());
  }

  @Test
  void locationsAreRegionsOrResourceNames() {
    assertEquals(new VertexLocation(null, "us-east5"), VertexLocation.parse("us-east5"));
    assertEquals(new VertexLocation("other-proj", "europe-west1"), VertexLocation.parse("projects/other-proj/locations/europe-west1"));
    assertEquals("https://us-east5-aiplatform.googleapis.com", VertexLocation.parse("us-east5").defaultBaseUrl());
    assertEquals("https://aiplatform.googleapis.com", VertexLocation.parse("global").defaultBaseUrl());
    assertThrows(IllegalArgumentException.class, () -> VertexLocation.parse(""));
    assertThrows(IllegalArgumentException.class, () -> VertexLocation.parse("US East"));
    assertThrows(IllegalArgumentException.class, () -> VertexLocation.parse("projects/p/locations/"));
  }

  private static List<StreamEvent> feedByteByByte(StreamDecoder decoder, byte[] bytes) {
    List<StreamEvent> events = new ArrayList<>();
    for (byte b : bytes) {
      events.addAll(decoder.feed(Buffer.buffer(new byte[] {b})));
    }
    events.addAll(decoder.finish());
    return events;
  }

  private static byte[] gemini(String path) {
    try (InputStream in = VertexAdapterTest.class.getResourceAsStream("/providers/gemini/" + path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
