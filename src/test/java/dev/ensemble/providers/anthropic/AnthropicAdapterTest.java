package dev.ensemble.providers.anthropic;

import dev.ensemble.model.ErrorClass;
import dev.ensemble.model.Message;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.UpstreamProtocolException;
import dev.ensemble.providers.UpstreamCall;
import dev.ensemble.wire.StreamDecoder;
import dev.ensemble.wire.anthropic.AnthropicFixtures;
import dev.ensemble.wire.anthropic.AnthropicRequestCodec;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AnthropicAdapterTest {

  private final AnthropicAdapter adapter = new AnthropicAdapter();

  @Test
  void buildsMessagesCallWithoutCredentials() {
    UnifiedRequest req = new AnthropicRequestCodec().decode(AnthropicFixtures.json("requests/cache-control.json"));

    UpstreamCall call = adapter.toUpstream(req, "claude-sonnet-4-5-20250929");

    assertEquals(HttpMethod.POST, call.method());
    assertEquals("/v1/messages", call.path());
    assertEquals("application/json", call.headers().get("content-type"));
    assertEquals("2023-06-01", call.headers().get("anthropic-version"));
    assertEquals("text/event-stream", call.headers().get("accept"));
    assertNull(call.headers().get("x-api-key"));
    assertNull(call.headers().get("authorization"));
    assertTrue(call.stream());
    assertEquals(AnthropicFixtures.json("requests/cache-control.upstream.json").toBuffer(), call.body());
  }

  @Test
  void nonStreamedCallAcceptsJson() {
    UpstreamCall call = adapter.toUpstream(UnifiedRequest.builder("m").message(Message.user("hi")).build(), "up");

    assertFalse(call.stream());
    assertEquals("application/json", call.headers().get("accept"));
    assertEquals("{\"model\":\"up\",\"max_tokens\":4096,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", call.body().toString());
  }

  @Test
  void decodesResponseBody() {
    UnifiedResponse resp = adapter.fromUpstream(Buffer.buffer(AnthropicFixtures.bytes("responses/tool-use.json")));

    assertEquals(StopReason.TOOL_USE, resp.stopReason());
    assertEquals(4, resp.content().size());
  }

  @Test
  void malformedResponseBodyIsAProtocolError() {
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("{\"content\":[")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("[1,2]")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("")));
    assertThrows(UpstreamProtocolException.class, () -> adapter.fromUpstream(Buffer.buffer("{\"type\":\"message\"}")));
  }

  @Test
  void givesAFreshStreamDecoderPerResponse() {
    StreamDecoder first = adapter.newStreamDecoder();

    assertNotSame(first, adapter.newStreamDecoder());
    assertEquals(11, AnthropicFixtures.decodeAll(first, AnthropicFixtures.bytes("streams/text-and-tool-use.sse")).size());
    assertTrue(first.completed());
  }

  @Test
  void classifiesOverloadedAsRetryable() {
    assertEquals(ErrorClass.RETRYABLE, adapter.classify(529, MultiMap.caseInsensitiveMultiMap(),
        Buffer.buffer(AnthropicFixtures.bytes("errors/overloaded.json"))).errorClass());
  }
}
