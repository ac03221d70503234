package dev.ensemble.providers.gemini;

import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.config.ModelKind;
import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.EmbeddingsResponse;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ProviderError;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.providers.ProviderCapabilities;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.openai.OpenAiEmbeddingsCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiEmbeddingsTest {

  private final GeminiEmbeddings adapter = new GeminiEmbeddings();
  private final OpenAiEmbeddingsCodec openAi = new OpenAiEmbeddingsCodec();

  private EmbeddingsRequest request(String json) {
    return openAi.decodeRequest(new JsonObject(json));
  }

  @Test
  void oneTextCallsEmbedContentWithItsDimensionsAndNoCredentials() {
    UpstreamCall call = adapter.toUpstream(request("""
        {"model":"emb","input":"hello world","dimensions":256,"user":"u1"}"""), "gemini-embedding-001");

    assertEquals(HttpMethod.POST, call.method());
    assertEquals("/v1beta/models/gemini-embedding-001:embedContent", call.path());
    assertEquals("application/json", call.headers().get("content-type"));
    assertNull(call.headers().get("x-goog-api-key"));
    assertFalse(call.stream());
    assertEquals("{\"content\":{\"parts\":[{\"text\":\"hello world\"}]},\"outputDimensionality\":256}", call.body().toString());
  }

  @Test
  void anArrayOfOneTextIsStillOneEmbedContentCall() {
    UpstreamCall call = adapter.toUpstream(request("{\"model\":\"emb\",\"input\":[\"solo\"]}"), "models/gemini-embedding-001");

    assertEquals("/v1beta/models/gemini-embedding-001:embedContent", call.path());
    assertEquals("{\"content\":{\"parts\":[{\"text\":\"solo\"}]}}", call.body().toString());
  }

  @Test
  void severalTextsCallBatchEmbedContentsNamingTheModelInEachRequest() {
    UpstreamCall call = adapter.toUpstream(request("""
        {"model":"emb","input":["a","b"],"dimensions":8}"""), "gemini-embedding-001");

    assertEquals("/v1beta/models/gemini-embedding-001:batchEmbedContents", call.path());
    assertEquals("{\"requests\":["
        + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"a\"}]},\"outputDimensionality\":8},"
        + "{\"model\":\"models/gemini-embedding-001\",\"content\":{\"parts\":[{\"text\":\"b\"}]},\"outputDimensionality\":8}]}",
        call.body().toString());
  }

  @Test
  void encodingTheSameRequestTwiceGivesTheSameBytes() {
    EmbeddingsRequest request = request("{\"model\":\"emb\",\"input\":[\"a\",\"b\",\"c\"]}");

    assertEquals(adapter.toUpstream(request, "m").body(), adapter.toUpstream(request, "m").body());
  }

  @Test
  void tokenIdInputIsA400NamingTheFieldAndTheProvider() {
    for (String input : new String[] {"[1,2,3]", "[[1,2],[3]]"}) {
      GatewayError error = assertThrows(GatewayError.class,
          () -> adapter.toUpstream(request("{\"model\":\"emb\",\"input\":" + input + "}"), "gemini-embedding-001"));
      assertEquals(400, error.status());
      assertEquals("input", error.param());
      assertTrue(error.getMessage().contains("Gemini (provider type gemini)"), error.getMessage());
    }
  }

  @Test
  void oneEmbeddingBecomesAnOpenAiListEntryWithTheEstimatedInput() {
    EmbeddingsRequest request = request("{\"model\":\"emb\",\"input\":\"hello world\"}");

    EmbeddingsResponse response = adapter.fromUpstream(request, Buffer.buffer("{\"embedding\":{\"values\":[0.25,-0.5,1]}}"));

    assertEquals(new JsonArray("[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.25,-0.5,1]}]"), response.data());
    // no token counts from Gemini: ceil(11 / 4) = 3, the admission estimate
    assertEquals(3L, response.usage().input());
    assertNull(response.usage().output());
  }

  @Test
  void batchEmbeddingsKeepInputOrderAndAReportedTokenCountWins() {
    EmbeddingsRequest request = request("{\"model\":\"emb\",\"input\":[\"a\",\"b\"]}");

    EmbeddingsResponse response = adapter.fromUpstream(request, Buffer.buffer("""
        {"embeddings":[{"values":[1,2]},{"values":[3,4]}],"usageMetadata":{"promptTokenCount":17}}"""));

    assertEquals(0, response.data().getJsonObject(0).getInteger("index"));
    assertEquals(new JsonArray("[3,4]"), response.data().getJsonObject(1).getJsonArray("embedding"));
    assertEquals(1, response.data().getJsonObject(1).getInteger("index"));
    assertEquals(17L, response.usage().input());
  }

  @Test
  void base64IsLittleEndianFloat32AsOpenAiSendsIt() {
    EmbeddingsRequest request = request("{\"model\":\"emb\",\"input\":\"x\",\"encoding_format\":\"base64\"}");

    EmbeddingsResponse response = adapter.fromUpstream(request, Buffer.buffer("{\"embedding\":{\"values\":[0.5,-2.0]}}"));

    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(response.data().getJsonObject(0).getString("embedding")))
        .order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(8, bytes.remaining());
    assertEquals(0.5f, bytes.getFloat());
    assertEquals(-2.0f, bytes.getFloat());
  }

  @Test
  void anAnswerThatIsNotOneVectorPerInputIsAProtocolError() {
    EmbeddingsRequest one = request("{\"model\":\"emb\",\"input\":\"x\"}");
    EmbeddingsRequest two = request("{\"model\":\"emb\",\"input\":[\"x\",\"y\"]}");

    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(one, Buffer.buffer("{\"embeddings\":[]}")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(one, Buffer.buffer("{\"embedding\":{\"values\":[\"a\"]}}")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(one, Buffer.buffer("{\"embedding\":{}}")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(two, Buffer.buffer("{\"embeddings\":[{\"values\":[1]}]}")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(two, Buffer.buffer("not json")));
  }

  @Test
  void errorsAreClassifiedAsGeminiChatErrorsAre() {
    ProviderError quota = new GeminiAdapter().classify(429, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("""
        {"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
         "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}"""));
    assertEquals(ErrorClass.RATE_LIMITED, quota.errorClass());
    assertEquals(7000L, quota.retryAfterMillis());

    ProviderError missing = new GeminiAdapter().classify(400, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer("""
        {"error":{"code":400,"message":"* EmbedContentRequest.content: content is not specified","status":"INVALID_ARGUMENT"}}"""));
    assertEquals(ErrorClass.PERMANENT, missing.errorClass());
  }

  @Test
  void aGeminiProviderCanEmbedButNotDrawAndTheCatalogShipsGeminiEmbedding001() {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse("""
        catalog: conf/models.yaml
        providers:
          google: { type: gemini, keys: [ { name: k, api_key: AIza-x, endpoints: [ { id: g-1 } ] } ] }
        """);

    ProviderCapabilities capabilities = ProviderKinds.of(config.providers().get("google")).capabilities();
    assertTrue(capabilities.supports(ModelKind.EMBEDDING));
    assertFalse(capabilities.supports(ModelKind.IMAGE));
    ModelConfig embedding = config.models().get("gemini-embedding-001");
    assertEquals(ModelKind.EMBEDDING, embedding.kind());
    assertEquals("gemini-embedding-001", embedding.providers().get(0).model());
  }
}
