package dev.ensemble.providers.vertex;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.openai.OpenAiEmbeddingsCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VertexEmbeddingsTest {

  private final VertexEmbeddings adapter = new VertexEmbeddings();
  private final OpenAiEmbeddingsCodec openAi = new OpenAiEmbeddingsCodec();

  private EmbeddingsRequest request(String json) {
    return openAi.decodeRequest(new JsonObject(json));
  }

  @Test
  void callsPredictOnTheGooglePublisherWithOneInstancePerText() {
    UpstreamCall call = adapter.toUpstream(request("""
        {"model":"emb","input":["a","b"],"dimensions":256,"user":"u"}"""), "text-embedding-005");

    assertEquals("/v1/projects/{project}/locations/{region}/publishers/google/models/text-embedding-005:predict", call.path());
    assertNull(call.headers().get("authorization"));
    assertFalse(call.stream());
    assertEquals("{\"instances\":[{\"content\":\"a\"},{\"content\":\"b\"}],\"parameters\":{\"outputDimensionality\":256}}",
        call.body().toString());
  }

  @Test
  void withoutDimensionsThereAreNoParameters() {
    UpstreamCall call = adapter.toUpstream(request("{\"model\":\"emb\",\"input\":\"hi\"}"), "gemini-embedding-001");

    assertEquals("{\"instances\":[{\"content\":\"hi\"}]}", call.body().toString());
  }

  @Test
  void tokenIdInputIsA400NamingTheFieldAndVertex() {
    GatewayError error = assertThrows(GatewayError.class, () -> adapter.toUpstream(request("{\"model\":\"emb\",\"input\":[1,2]}"), "m"));
    assertEquals("input", error.param());
    assertTrue(error.getMessage().contains("Vertex AI"), error.getMessage());
  }

  @Test
  void predictionsBecomeOpenAiEmbeddingsWithTheSummedTokenCounts() {
    EmbeddingsResponse response = adapter.fromUpstream(request("{\"model\":\"emb\",\"input\":[\"a\",\"b\"]}"), Buffer.buffer("""
        {"predictions":[{"embeddings":{"statistics":{"truncated":false,"token_count":2},"values":[0.5,1]}},
                        {"embeddings":{"statistics":{"truncated":false,"token_count":5},"values":[2,3]}}],
         "metadata":{"billableCharacterCount":2}}"""));

    assertEquals(new JsonArray("""
        [{"object":"embedding","index":0,"embedding":[0.5,1]},{"object":"embedding","index":1,"embedding":[2,3]}]"""), response.data());
    assertEquals(7L, response.usage().input());
  }

  @Test
  void aMissingTokenCountFallsBackToTheEstimateAndBase64IsHonoured() {
    EmbeddingsResponse response = adapter.fromUpstream(request("{\"model\":\"emb\",\"input\":\"abcdefgh\",\"encoding_format\":\"base64\"}"),
        Buffer.buffer("{\"predictions\":[{\"embeddings\":{\"values\":[1.5]}}]}"));

    assertEquals(2L, response.usage().input());
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(response.data().getJsonObject(0).getString("embedding")))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(1.5f, bytes.getFloat());
  }

  @Test
  void anAnswerThatIsNotOneVectorPerInputIsAProtocolError() {
    EmbeddingsRequest two = request("{\"model\":\"emb\",\"input\":[\"x\",\"y\"]}");

    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(two, Buffer.buffer("{\"predictions\":[{\"embeddings\":{\"values\":[1]}}]}")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(two, Buffer.buffer("{}")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(two, Buffer.buffer(
        "{\"predictions\":[{\"embeddings\":{\"values\":[1]}},{\"nope\":{}}]}")));
  }

  @Test
  void vertexQuotaErrorsAreRateLimitsAsForChat() {
    assertEquals(ErrorClass.RATE_LIMITED, new VertexAdapter().classify(429, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(
        "{\"error\":{\"code\":429,\"message\":\"Quota exceeded\",\"status\":\"RESOURCE_EXHAUSTED\"}}")).errorClass());
  }
}
