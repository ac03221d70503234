package dev.ensemble.providers.gemini;

import dev.ensemble.config.BuiltInKind;
import dev.ensemble.config.ConfigLoader;
import dev.ensemble.config.EnsembleConfig;
import dev.ensemble.config.ModelConfig;
import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Message;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.providers.ProviderKinds;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.gemini.GeminiStreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeminiAdapterTest {

  private final GeminiAdapter adapter = new GeminiAdapter();

  @Test
  void callsGenerateContentWithTheModelInThePathAndNoCredentials() {
    UpstreamCall call = adapter.toUpstream(UnifiedRequest.builder("m").message(Message.user("hi")).build(), "gemini-2.5-flash");

    assertEquals(HttpMethod.POST, call.method());
    assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", call.path());
    assertEquals("application/json", call.headers().get("accept"));
    assertNull(call.headers().get("x-goog-api-key"));
    assertFalse(call.stream());
    assertEquals("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi\"}]}]}", call.body().toString());
  }

  @Test
  void streamsWithAltSse() {
    UpstreamCall call = adapter.toUpstream(UnifiedRequest.builder("m").message(Message.user("hi")).stream(true).build(), "gemini-2.5-pro");

    assertEquals("/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse", call.path());
    assertEquals("text/event-stream", call.headers().get("accept"));
    assertTrue(call.stream());
    assertInstanceOf(GeminiStreamDecoder.class, adapter.newStreamDecoder());
  }

  @Test
  void aModelThatNamesAResourceIsUsedAsIs() {
    assertEquals("/v1beta/tunedModels/my-tune-7:generateContent", GeminiAdapter.path("tunedModels/my-tune-7", false));
    assertEquals("/v1beta/models/gemini-2.5-flash:generateContent", GeminiAdapter.path("models/gemini-2.5-flash", false));
  }

  @Test
  void aBlockedPromptInACompleteAnswerIsTheClientsError() {
    dev.ensemble.model.GatewayError error = assertThrows(dev.ensemble.model.GatewayError.class, () -> adapter.fromUpstream(Buffer.buffer(
        "{\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":5,\"totalTokenCount\":5}}")));

    assertEquals(400, error.status());
  }

  @Test
  void bodiesThatAreNotJsonObjectsAreProtocolErrors() {
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("not json")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("[]")));
  }

  @Test
  void classifiesGeminiErrors() {
    assertEquals(ErrorClass.KEY_INVALID, adapter.classify(400, MultiMap.caseInsensitiveMultiMap(), Buffer.buffer(
        "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
            + "\"reason\":\"API_KEY_INVALID\"}]}}")).errorClass());
  }

  @Test
  void aGeminiProviderUsesThisAdapterAndTheShippedCatalogsGeminiModels() {
    EnsembleConfig config = new ConfigLoader(Map.of()).parse("""
        catalog: conf/models.yaml
        providers:
          google: { type: gemini, keys: [ { name: k, api_key: AIza-x, endpoints: [ { id: g-1 } ] } ] }
        """);

    assertInstanceOf(GeminiAdapter.class, ProviderKinds.of(config.providers().get("google")).adapter());
    ModelConfig flash = config.models().get("gemini-2.5-flash");
    assertEquals(List.of(new ModelConfig.Served("google", "gemini-2.5-flash", flash.providers().get(0).pricing(),
        flash.providers().get(0).cache(), BuiltInKind.defaultModalities("gemini", "gemini-2.5-flash"))), flash.providers());
    assertTrue(config.models().containsKey("gemini-2.5-pro"));
    assertTrue(config.models().keySet().stream().allMatch(name -> name.startsWith("gemini")), config.models().keySet().toString());
  }
}
