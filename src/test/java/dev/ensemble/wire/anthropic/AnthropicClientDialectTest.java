package dev.ensemble.wire.anthropic;

import dev.ensemble.model.ContentBlock;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.UnifiedResponse;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AnthropicClientDialectTest {

  private final AnthropicClientDialect dialect = new AnthropicClientDialect();
  private final ResponseContext ctx = new ResponseContext("abc", "claude-haiku-4-5", 0);

  @Test
  void decodesRequestsAndRejectsBadOnes() {
    UnifiedRequest req = dialect.decodeRequest(new JsonObject(
        "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));

    assertEquals("claude-haiku-4-5", req.model());
    GatewayError e = assertThrows(GatewayError.class, () -> dialect.decodeRequest(new JsonObject("{\"model\":\"m\"}")));
    assertEquals("max_tokens", e.param());
    assertEquals("invalid_request_error", dialect.encodeError(e).getJsonObject("error").getString("type"));
  }

  @Test
  void rendersResponsesAndStreams() {
    UnifiedResponse resp = new UnifiedResponse("up", "m", List.of(ContentBlock.Text.of("hello")), StopReason.END_TURN, null,
        new Usage(1L, 2L, null, null));

    assertEquals("msg_abc", dialect.encodeResponse(resp, ctx).getString("id"));
    assertEquals("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
        dialect.newStreamEncoder(null, ctx).encode(StreamEvent.BlockStart.text(0)).toString());
  }
}
