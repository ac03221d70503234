package dev.ensemble.wire.openai;

import dev.ensemble.model.EmbeddingsRequest;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.ImagesRequest;
import dev.ensemble.model.ImagesResponse;
import dev.ensemble.model.UpstreamProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OpenAiEmbeddingsImagesCodecTest {

  private final OpenAiEmbeddingsCodec embeddings = new OpenAiEmbeddingsCodec();
  private final OpenAiImagesCodec images = new OpenAiImagesCodec();

  private static String param(Runnable decode) {
    return assertThrows(GatewayError.class, decode::run).param();
  }

  @Test
  void embeddingsRequestIsReEncodedWithTheUpstreamModelAndItsOptions() {
    EmbeddingsRequest request = embeddings.decodeRequest(new JsonObject("""
        {"model":"emb","input":["a","b"],"encoding_format":"base64","dimensions":256,"user":"u1"}"""));

    assertEquals("""
        {"model":"text-embedding-3-small","input":["a","b"],"encoding_format":"base64","dimensions":256,"user":"u1"}""",
        embeddings.encodeRequest(request, "text-embedding-3-small").encode());
  }

  @Test
  void badEmbeddingsInputIsA400NamingTheField() {
    assertEquals("input", param(() -> embeddings.decodeRequest(new JsonObject().put("model", "m"))));
    assertEquals("input", param(() -> embeddings.decodeRequest(new JsonObject().put("model", "m").put("input", ""))));
    assertEquals("input", param(() -> embeddings.decodeRequest(new JsonObject().put("model", "m").put("input", new JsonArray()))));
    assertEquals("input[1]", param(() -> embeddings.decodeRequest(new JsonObject().put("model", "m").put("input", new JsonArray().add("a").add(3)))));
    assertEquals("input[0]", param(() -> embeddings.decodeRequest(new JsonObject().put("model", "m").put("input", new JsonArray().add(true)))));
    assertEquals("encoding_format", param(() -> embeddings.decodeRequest(new JsonObject().put("model", "m").put("input", "x").put("encoding_format", "int8"))));
    assertEquals("dimensions", param(() -> embeddings.decodeRequest(new JsonObject().put("model", "m").put("input", "x").put("dimensions", 0))));
    assertEquals("model", param(() -> embeddings.decodeRequest(new JsonObject().put("input", "x"))));
  }

  @Test
  void tokenIdInputIsAccepted() {
    EmbeddingsRequest request = embeddings.decodeRequest(new JsonObject("""
        {"model":"m","input":[[1,2,3],[4]]}"""));
    assertEquals(4, request.estimatedTokens());
  }

  @Test
  void embeddingsResponseKeepsVectorsAndReportsPromptTokens() {
    var response = embeddings.decodeResponse(new JsonObject("""
        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25]}],"model":"x","usage":{"prompt_tokens":7,"total_tokens":7}}"""));
    assertEquals(7L, response.usage().input());
    assertEquals("""
        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5,-0.25]}],"model":"emb","usage":{"prompt_tokens":7,"total_tokens":7}}""",
        embeddings.encodeResponse(response, "emb").encode());
    assertThrows(UpstreamProtocolException.class, () -> embeddings.decodeResponse(new JsonObject().put("data", new JsonArray().add(new JsonObject()))));
  }

  @Test
  void imagesRequestPassesUnmodelledParametersOn() {
    ImagesRequest request = images.decodeRequest(new JsonObject("""
        {"model":"dalle","prompt":"a fox","n":2,"size":"1024x1024","quality":"hd","style":"vivid","user":"u"}"""));
    assertEquals("""
        {"model":"dall-e-3","prompt":"a fox","n":2,"size":"1024x1024","quality":"hd","style":"vivid","user":"u"}""",
        images.encodeRequest(request, "dall-e-3").encode());
  }

  @Test
  void badImagesRequestIsA400NamingTheField() {
    assertEquals("prompt", param(() -> images.decodeRequest(new JsonObject().put("model", "m"))));
    assertEquals("n", param(() -> images.decodeRequest(new JsonObject().put("model", "m").put("prompt", "p").put("n", 11))));
    assertEquals("response_format", param(() -> images.decodeRequest(new JsonObject().put("model", "m").put("prompt", "p").put("response_format", "png"))));
    assertEquals("stream", param(() -> images.decodeRequest(new JsonObject().put("model", "m").put("prompt", "p").put("stream", true))));
  }

  @Test
  void imagesResponseCountsImagesAndReadsTokenUsage() {
    ImagesResponse response = images.decodeResponse(new JsonObject("""
        {"created":1,"data":[{"b64_json":"AA=="},{"b64_json":"AQ=="}],"usage":{"input_tokens":10,"output_tokens":4160,"total_tokens":4170}}"""));
    assertEquals(2, response.images());
    assertEquals(10L, response.usage().input());
    assertEquals(4160L, response.usage().output());
    assertThrows(UpstreamProtocolException.class, () -> images.decodeResponse(new JsonObject().put("data", new JsonArray().add(new JsonObject()))));
  }
}
