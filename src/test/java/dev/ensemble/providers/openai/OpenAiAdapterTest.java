package dev.ensemble.providers.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Message;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.openai.OpenAiStreamDecoder;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class OpenAiAdapterTest {

  private final OpenAiAdapter adapter = new OpenAiAdapter();

  @Test
  void buildsNonStreamedChatCompletionsCall() {
    UnifiedRequest req = UnifiedRequest.builder("smart").message(Message.user("hi")).maxTokens(5).build();
    UpstreamCall call = adapter.toUpstream(req, "gpt-4o-mini");
    assertEquals(HttpMethod.POST, call.method());
    assertEquals("/chat/completions", call.path());
    assertEquals("application/json", call.headers().get("Content-Type"));
    assertEquals("application/json", call.headers().get("Accept"));
    assertFalse(call.stream());
    assertEquals("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":5}",
        call.body().toString());
    assertFalse(call.headers().contains("authorization"));
  }

  @Test
  void buildsStreamedCallThatAlwaysAsksForUsage() {
    UnifiedRequest req = UnifiedRequest.builder("smart").message(Message.user("hi")).stream(true).includeUsage(false).build();
    UpstreamCall call = adapter.toUpstream(req, "gpt-4o-mini");
    assertTrue(call.stream());
    assertEquals("text/event-stream", call.headers().get("accept"));
    JsonObject body = new JsonObject(call.body());
    assertEquals(true, body.getBoolean("stream"));
    assertEquals(new JsonObject().put("include_usage", true), body.getJsonObject("stream_options"));
  }

  @Test
  void decodesUpstreamBody() {
    UnifiedResponse resp = adapter.fromUpstream(Buffer.buffer(
        "{\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hey\"},\"finish_reason\":\"stop\"}]}"));
    assertEquals("hey", resp.text());
    assertEquals(StopReason.END_TURN, resp.stopReason());
  }

  @Test
  void nonJsonUpstreamBodyIsAProtocolError() {
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("<html>oops</html>")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("[1,2]")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("{\"object\":\"chat.completion\"}")));
  }

  @Test
  void givesAFreshStreamDecoderEachTime() {
    assertInstanceOf(OpenAiStreamDecoder.class, adapter.newStreamDecoder());
    assertNotSame(adapter.newStreamDecoder(), adapter.newStreamDecoder());
  }

  @Test
  void classifiesThroughOpenAiErrors() {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().add("retry-after", "1");
    assertEquals(ErrorClass.RATE_LIMITED, adapter.classify(429, headers, Buffer.buffer()).errorClass());
    assertEquals(1000L, adapter.classify(429, headers, Buffer.buffer()).retryAfterMillis());
    assertEquals(ErrorClass.KEY_INVALID, adapter.classify(401, headers, Buffer.buffer()).errorClass());
  }
}
