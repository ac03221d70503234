package dev.ensemble.wire.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ensemble.model.ErrorType;
import dev.ensemble.model.GatewayError;
import dev.ensemble.model.StopReason;
import dev.ensemble.model.StreamEvent;
import dev.ensemble.model.UnifiedRequest;
import dev.ensemble.model.Usage;
import dev.ensemble.wire.ResponseContext;
import dev.ensemble.wire.StreamEncoder;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class OpenAiClientDialectTest {

  private final OpenAiClientDialect dialect = new OpenAiClientDialect();

  @Test
  void streamEncoderHonoursTheClientsIncludeUsage() {
    UnifiedRequest req = dialect.decodeRequest(new JsonObject("{\"model\":\"m\",\"stream\":true,"
        + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    StreamEncoder encoder = dialect.newStreamEncoder(req, new ResponseContext("r", "m", 1L));
    String end = encoder.encode(new StreamEvent.ResponseEnd(StopReason.END_TURN, null, new Usage(1L, 2L, null, null), null)).toString();
    assertTrue(end.contains("\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2"), end);
    assertTrue(end.endsWith("data: [DONE]\n\n"), end);
  }

  @Test
  void encodesErrors() {
    assertEquals("rate_limit_error", dialect.encodeError(GatewayError.of(ErrorType.RATE_LIMITED, "slow down"))
        .getJsonObject("error").getString("type"));
  }
}
